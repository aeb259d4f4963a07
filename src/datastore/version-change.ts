import { ANNOTATION_MIGRATE_FROM } from '../contract.js';
import type { Container, PodTemplateSpec } from '../k8s/types.js';
import { sameVersion } from './identity.js';
import { parseImageRef } from '../profiles/image.js';
import { migrationLevel, reachesLevel } from '../profiles/version-policy.js';
import type { Profile, ProfileSet, VersionLevel } from '../profiles/types.js';
import { compareVersions, imageVersion, versionDifference, type ImageVersion } from '../profiles/version.js';
import { selectDatastore } from './select-container.js';

/**
 * How the datastore container's image changes between two pod templates (old and new revision
 * of a workload). Shared by the workload UPDATE mutation and the validation rules, so the two
 * always agree on what a "version change" is.
 */
export interface VersionChange {
  readonly profile: Profile;
  readonly container: string;
  readonly oldImage: string;
  readonly newImage: string;
  readonly oldVersion?: ImageVersion;
  readonly newVersion?: ImageVersion;
  /**
   * The most significant part that differs; `none` for the same version (also a new build
   * flavour or registry of it); `unknown` when the images differ and a version cannot be read.
   */
  readonly difference: VersionLevel | 'none' | 'unknown';
  /** The repository path differs (registry hosts aside, so moving to a mirror is not a change). */
  readonly repositoryChanged: boolean;
  /** The old image names one build for good: a version tag or a digest (not `latest`). */
  readonly oldImagePinned: boolean;
}

function containerNamed(t: PodTemplateSpec, name: string): Container | undefined {
  return (t.spec?.containers ?? []).find((c) => c.name === name);
}

export function detectVersionChange(
  oldTemplate: PodTemplateSpec,
  newTemplate: PodTemplateSpec,
  profiles: ProfileSet,
): VersionChange | undefined {
  const now = selectDatastore(newTemplate, profiles).selection;
  const before = selectDatastore(oldTemplate, profiles).selection;
  const selection = now ?? before;
  if (selection === undefined) return undefined;
  const name = selection.container.name;
  // Paired by name; a datastore container renamed in the same update is paired by profile.
  const renamed = now !== undefined && before !== undefined && before.profile === now.profile ? before.container : undefined;
  const oldImage = (containerNamed(oldTemplate, name) ?? renamed)?.image;
  const newImage = containerNamed(newTemplate, name)?.image;
  if (typeof oldImage !== 'string' || typeof newImage !== 'string') return undefined;

  const oldRef = parseImageRef(oldImage);
  const newRef = parseImageRef(newImage);
  const oldVersion = imageVersion(oldRef);
  const newVersion = imageVersion(newRef);
  let difference: VersionChange['difference'];
  if (oldImage === newImage) difference = 'none';
  else if (oldVersion !== undefined && newVersion !== undefined) difference = versionDifference(oldVersion, newVersion);
  else if (oldRef.digest !== undefined && oldRef.digest === newRef.digest) difference = 'none';
  else difference = 'unknown';

  return {
    profile: selection.profile,
    container: name,
    oldImage,
    newImage,
    ...(oldVersion === undefined ? {} : { oldVersion }),
    ...(newVersion === undefined ? {} : { newVersion }),
    difference,
    repositoryChanged: oldRef.path !== newRef.path,
    oldImagePinned: oldVersion !== undefined || oldRef.digest !== undefined,
  };
}

/** The version really changed (or may have: unknown), for a profile that cares. */
export function isVersionChange(change: VersionChange): boolean {
  return change.difference !== 'none';
}

/** Known versions, and the new one is lower. */
export function isDowngrade(change: VersionChange): boolean {
  return change.oldVersion !== undefined && change.newVersion !== undefined && compareVersions(change.newVersion, change.oldVersion) < 0;
}

/**
 * The change needs the pre-migration step: the profile requires it and the difference reaches
 * the profile's `migrateOn` level. An unknown difference counts (conservative).
 */
export function needsPremigration(change: VersionChange): boolean {
  if (change.profile.premigration !== 'required') return false;
  if (change.difference === 'none') return false;
  if (change.difference === 'unknown') return true;
  return reachesLevel(change.difference, migrationLevel(change.profile));
}

/**
 * The image the stored template's rollout came from: its `migrate-from-image`, when that names
 * another version than the stored template runs (an upgrade the webhook recorded).
 */
export function rolloutSource(oldTemplate: PodTemplateSpec, change: VersionChange): string | undefined {
  const from = oldTemplate.metadata?.annotations?.[ANNOTATION_MIGRATE_FROM]?.trim();
  if (from === undefined || from === '' || sameVersion(from, change.oldImage)) return undefined;
  return from;
}

/**
 * A rollback: the update goes back to the version the stored template's rollout came from
 * (`kubectl rollout undo`, `helm rollback`, or editing the image back). Compared as versions.
 */
export function isRollback(change: VersionChange, oldTemplate: PodTemplateSpec): boolean {
  if (change.difference === 'none') return false;
  const from = rolloutSource(oldTemplate, change);
  return from !== undefined && sameVersion(from, change.newImage);
}
