import { ANNOTATION_MIGRATE_FROM, PREMIGRATE_CONTAINER } from '../contract.js';
import { sameVersion } from '../datastore/identity.js';
import type { VersionChange } from '../datastore/version-change.js';
import type { PodTemplateSpec } from '../k8s/types.js';
import type { Subject } from './subject.js';

export const SET_MIGRATE_FROM = `spec.template.metadata.annotations["${ANNOTATION_MIGRATE_FROM}"]`;

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
export function hasMigrationStep(template: PodTemplateSpec, change: VersionChange): boolean {
  const declared = template.metadata?.annotations?.[ANNOTATION_MIGRATE_FROM];
  if (declared !== undefined && sameVersion(declared, change.oldImage)) return true;
  const init = (template.spec?.initContainers ?? []).find((c) => c.name === PREMIGRATE_CONTAINER);
  return typeof init?.image === 'string' && sameVersion(init.image, change.oldImage);
}

/** `statefulset/cassandra -n cassandra-prod`, as kubectl rollout takes it. */
export function rolloutTarget(subject: Subject): string {
  return `${subject.kind}/${subject.name}${subject.namespace === undefined ? '' : ` -n ${subject.namespace}`}`;
}
