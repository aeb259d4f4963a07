import { ANNOTATION_MIGRATE_FROM } from '../../contract.js';
import { sameVersion } from '../../datastore/identity.js';
import { unfinishedRollout } from '../../datastore/rollout.js';
import type { Workload } from '../../k8s/types.js';
import { imageVersion } from '../../profiles/version.js';
import { rolloutTarget } from '../messages.js';
import { defineRule } from '../rule.js';

/** spec.replicas, which the apiserver defaults to 1. */
function replicas(workload: Workload): number {
  const n = workload.spec?.replicas;
  return typeof n === 'number' ? n : 1;
}

/**
 * A replicas increase while a datastore version rollout is unfinished: the new pods would join
 * (bootstrap into) a ring of mixed versions, which Cassandra and ScyllaDB do not support. The
 * version rollout is known from the stored template: its `migrate-from-image` (which the
 * mutating webhook sets on every version change) names another version than the one it runs.
 */
export const scaleDuringRollout = defineRule({
  id: 'scale-during-rollout',
  severity: 'deny',
  summary:
    'A StatefulSet or Deployment UPDATE raises `spec.replicas` while its datastore version rollout (from `migrate-from-image` to the running image) is unfinished: new pods would bootstrap into a mixed-version ring. Reviewed on the object itself (`kubectl apply`, `edit`, `patch`); the `scale` subresource (`kubectl scale`, autoscalers) is not.',
  fix: 'Wait for `kubectl rollout status` to finish (or `kubectl rollout undo` and wait), then scale.',
  kinds: ['StatefulSet', 'Deployment'],
  operations: ['UPDATE'],
  profiles: 'premigration-required',
  check({ subject, kind, workload, old, selection }) {
    if (workload === undefined || old === undefined || selection === undefined) return undefined;
    const before = replicas(old.workload);
    const after = replicas(workload);
    if (after <= before) return undefined;
    const from = old.template.metadata?.annotations?.[ANNOTATION_MIGRATE_FROM];
    const running = old.template.spec?.containers.find((c) => c.name === selection.container.name)?.image;
    if (from == null || from.trim() === '' || typeof running !== 'string' || sameVersion(from, running)) return undefined;
    const reason = unfinishedRollout(kind, old.workload);
    if (reason === undefined) return undefined;
    const name = (image: string): string => imageVersion(image)?.text ?? JSON.stringify(image);
    const target = rolloutTarget(subject);
    return {
      message:
        `${subject.ref}: replicas ${before} -> ${after} while the ${selection.profile.name} rollout ${name(from)} -> ${name(running)} is unfinished (${reason}); ` +
        `new pods would join a ring of mixed versions; wait for kubectl rollout status ${target} to finish, or kubectl rollout undo ${target} and wait, then scale`,
      container: selection.container.name,
    };
  },
});
