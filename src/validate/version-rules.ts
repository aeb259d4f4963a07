import { ANNOTATION_ALLOW_DOWNGRADE, ANNOTATION_MIGRATE_FROM, PREMIGRATE_CONTAINER } from '../contract.js';
import type { PodTemplateSpec, Workload } from '../k8s/types.js';
import { isDowngrade, namesSameVersion, needsPremigration, type VersionChange } from '../mutate/version-change.js';
import { skippedSteps } from '../profiles/version-policy.js';
import { enableInjection, type Subject } from './subject.js';
import type { Violation } from './types.js';

const SET_MIGRATE_FROM = `spec.template.metadata.annotations["${ANNOTATION_MIGRATE_FROM}"]`;

/** `cassandra 3.11.16 -> 4.1.3`, or the images when a version cannot be read. */
export function versionPair(change: VersionChange): string {
  const { oldVersion, newVersion, profile } = change;
  if (oldVersion === undefined || newVersion === undefined) return `${profile.name} ${JSON.stringify(change.oldImage)} -> ${JSON.stringify(change.newImage)}`;
  return `${profile.name} ${oldVersion.text} -> ${newVersion.text}`;
}

/**
 * The new template has a migration step for this change: `migrate-from-image` naming the old
 * version, or an explicit `gossip-premigrate` init container running it.
 */
function hasMigrationStep(template: PodTemplateSpec, change: VersionChange): boolean {
  const declared = template.metadata?.annotations?.[ANNOTATION_MIGRATE_FROM];
  if (declared !== undefined && namesSameVersion(declared, change.oldImage)) return true;
  const init = (template.spec?.initContainers ?? []).find((c) => c.name === PREMIGRATE_CONTAINER);
  return typeof init?.image === 'string' && namesSameVersion(init.image, change.oldImage);
}

function allowsDowngrade(workload: Workload, template: PodTemplateSpec): boolean {
  return [workload.metadata?.annotations, template.metadata?.annotations].some((a) => a?.[ANNOTATION_ALLOW_DOWNGRADE] === 'true');
}

function migrationViolation(subject: Subject, template: PodTemplateSpec, change: VersionChange): Violation | undefined {
  if (hasMigrationStep(template, change)) return undefined;
  const container = change.container;
  const declared = template.metadata?.annotations?.[ANNOTATION_MIGRATE_FROM];
  const setIt = `set ${SET_MIGRATE_FROM}=${JSON.stringify(change.oldImage)}`;
  if (declared !== undefined) {
    // A stale annotation from an earlier upgrade would run an even older version on the data.
    const message = `${subject.ref}: container "${container}" changes ${versionPair(change)} but ${ANNOTATION_MIGRATE_FROM} is ${JSON.stringify(declared)}, not the old image; ${setIt}`;
    return { rule: 'version-change-without-migration', severity: 'deny', message, container };
  }
  if (!needsPremigration(change)) return undefined;
  if (change.difference !== 'unknown') {
    const message = `${subject.ref}: container "${container}" changes ${versionPair(change)} without an IP-migration step; ${enableInjection(subject)}, or ${setIt}`;
    return { rule: 'version-change-without-migration', severity: 'deny', message, container };
  }
  const fix = change.oldImagePinned ? `${enableInjection(subject)}, or ${setIt}` : 'first pin the running version in the image tag, then change it';
  if (change.repositoryChanged) {
    const message = `${subject.ref}: container "${container}" moves ${versionPair(change)}, another repository with no readable version, without an IP-migration step; ${fix}`;
    return { rule: 'repository-change-without-migration', severity: 'deny', message, container };
  }
  const message = `${subject.ref}: cannot read the ${change.profile.name} versions of ${JSON.stringify(change.oldImage)} -> ${JSON.stringify(change.newImage)}; use version tags`;
  return { rule: 'unknown-version-change', severity: 'warn', message, container };
}

function downgradeViolation(subject: Subject, workload: Workload, template: PodTemplateSpec, change: VersionChange): Violation | undefined {
  const { oldVersion, newVersion } = change;
  if (!isDowngrade(change) || change.difference !== 'major' || oldVersion === undefined || newVersion === undefined) return undefined;
  if (allowsDowngrade(workload, template)) return undefined;
  const message =
    `${subject.ref}: container "${change.container}" downgrades ${versionPair(change)}; ${newVersion.major}.x cannot read data files written by ${oldVersion.major}.x; ` +
    `keep ${oldVersion.text}, or set metadata.annotations["${ANNOTATION_ALLOW_DOWNGRADE}"]="true" if no ${oldVersion.major}.x data was written`;
  return { rule: 'major-downgrade', severity: 'deny', message, container: change.container };
}

function skippedViolation(subject: Subject, change: VersionChange): Violation | undefined {
  const { oldVersion, newVersion, profile } = change;
  if (oldVersion === undefined || newVersion === undefined) return undefined;
  const skipped = skippedSteps(profile, oldVersion, newVersion);
  if (skipped.length === 0) return undefined;
  const steps = skipped.map((s) => `${s}.x`).join(', ');
  const path = (profile.upgradePath ?? []).join(' -> ');
  const message = `${subject.ref}: ${versionPair(change)} skips ${steps} (path ${path}); upgrade to ${skipped[0]}.x first`;
  return { rule: 'skipped-major', severity: 'warn', message, container: change.container };
}

/**
 * The version rules of a workload UPDATE whose datastore version changes, for profiles that
 * require pre-migration (the others are never denied for a version change).
 */
export function versionChangeViolations(subject: Subject, workload: Workload, template: PodTemplateSpec, change: VersionChange): Violation[] {
  if (change.profile.premigration !== 'required' || change.difference === 'none') return [];
  return [
    migrationViolation(subject, template, change),
    downgradeViolation(subject, workload, template, change),
    skippedViolation(subject, change),
  ].filter((v): v is Violation => v !== undefined);
}
