import type { Container, PodTemplateSpec } from '../k8s/types.js';
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

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optional = (v: unknown, ok: (v: unknown) => boolean): boolean => v === undefined || v === null || ok(v);
const isList = (v: unknown): boolean => Array.isArray(v);
const isString = (v: unknown): boolean => typeof v === 'string';

function isContainer(c: unknown): boolean {
  return (
    isRecord(c) &&
    isString(c['name']) &&
    optional(c['image'], isString) &&
    optional(c['env'], (env) => Array.isArray(env) && env.every(isRecord)) &&
    optional(c['volumeMounts'], (m) => Array.isArray(m) && m.every(isRecord)) &&
    optional(c['lifecycle'], isRecord)
  );
}

/**
 * A pod (or pod template) whose shape we can trust: the fields the rules and mutations read
 * have the types Kubernetes gives them. Manifests the apiserver never saw (the offline CLI)
 * can be anything; a malformed one yields undefined, never an exception.
 */
export function asTemplate(value: unknown): PodTemplateSpec | undefined {
  if (!isRecord(value) || !optional(value['metadata'], isRecord)) return undefined;
  const annotations = isRecord(value['metadata']) ? value['metadata']['annotations'] : undefined;
  if (!optional(annotations, isRecord)) return undefined;
  const spec = value['spec'];
  if (!isRecord(spec) || !Array.isArray(spec['containers']) || !spec['containers'].every(isContainer)) return undefined;
  const init = spec['initContainers'];
  if (!optional(init, (i) => Array.isArray(i) && i.every(isContainer))) return undefined;
  if (!optional(spec['volumes'], isList) || !optional(spec['terminationGracePeriodSeconds'], (n) => typeof n === 'number')) return undefined;
  return value as PodTemplateSpec;
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

/** `image` runs the same build as `reference`: equal, or same repository and same version. */
export function namesSameVersion(image: string, reference: string): boolean {
  if (image === reference) return true;
  const a = parseImageRef(image);
  const b = parseImageRef(reference);
  if (a.path !== b.path) return false;
  if (a.digest !== undefined && a.digest === b.digest) return true;
  const va = imageVersion(a);
  const vb = imageVersion(b);
  return va !== undefined && vb !== undefined && compareVersions(va, vb) === 0;
}
