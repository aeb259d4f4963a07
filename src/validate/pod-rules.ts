import { ANNOTATION_MIGRATE_FROM, PREMIGRATE_CONTAINER } from '../contract.js';
import type { Pod } from '../k8s/types.js';
import { selectDatastore } from '../mutate/select-container.js';
import { namesSameVersion } from '../mutate/version-change.js';
import type { ProfileSet } from '../profiles/types.js';
import { enableInjection, type Subject } from './subject.js';
import type { Violation } from './types.js';

/**
 * A pod at CREATE that declares `migrate-from-image` but would start without the pre-migration
 * init container (injection off): the new version would meet gossip on a new IP unprepared.
 * Validating webhooks run after mutating ones, so an injected pod passes.
 */
export function premigrationViolation(subject: Subject, pod: Pod, profiles: ProfileSet): Violation | undefined {
  const from = pod.metadata?.annotations?.[ANNOTATION_MIGRATE_FROM];
  if (from === undefined) return undefined;
  if ((pod.spec?.initContainers ?? []).some((c) => c.name === PREMIGRATE_CONTAINER)) return undefined;
  const { selection } = selectDatastore(pod, profiles);
  // Only profiles with a pre-migration step; and migrating to the same version is a no-op.
  if (selection === undefined || selection.profile.premigration !== 'required') return undefined;
  const image = selection.container.image ?? '';
  if (namesSameVersion(from, image)) return undefined;
  const message =
    `${subject.ref}: ${ANNOTATION_MIGRATE_FROM}=${JSON.stringify(from)} but no "${PREMIGRATE_CONTAINER}" init container, ` +
    `so container "${selection.container.name}" (${selection.profile.name}) would skip the IP-migration step; ${enableInjection(subject)}`;
  return { rule: 'migrate-from-without-init-container', severity: 'deny', message, container: selection.container.name };
}
