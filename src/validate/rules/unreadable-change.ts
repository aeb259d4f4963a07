import { ANNOTATION_MIGRATE_FROM } from '../../contract.js';
import { needsPremigration, type VersionChange } from '../../datastore/version-change.js';
import type { PodTemplateSpec } from '../../k8s/types.js';
import { hasMigrationStep, SET_MIGRATE_FROM } from '../messages.js';
import { enableInjection, type Subject } from '../subject.js';

/**
 * A version change gossip-safe cannot read (a digest, `latest`, a word tag) that would need the
 * migration step and has none. Shared by `repository-change-without-migration` and
 * `unknown-version-change`, which differ in whether the repository moved.
 */
export function unreadableChange(template: PodTemplateSpec, change: VersionChange | undefined): VersionChange | undefined {
  if (change === undefined || change.difference !== 'unknown' || !needsPremigration(change)) return undefined;
  if (template.metadata?.annotations?.[ANNOTATION_MIGRATE_FROM] !== undefined || hasMigrationStep(template, change)) return undefined;
  return change;
}

export function unreadableFix(subject: Subject, change: VersionChange): string {
  return change.oldImagePinned
    ? `${enableInjection(subject)}, or set ${SET_MIGRATE_FROM}=${JSON.stringify(change.oldImage)}`
    : 'first pin the running version in the image tag, then change it';
}
