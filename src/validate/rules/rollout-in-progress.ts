import { unfinishedRollout } from '../../datastore/rollout.js';
import { rolloutTarget, versionPair } from '../messages.js';
import { defineRule, WORKLOADS } from '../rule.js';

/**
 * A datastore version change on top of an unfinished rollout: two version changes in flight.
 * Every profile: with known versions on both sides; for profiles that require pre-migration
 * also when a version cannot be read (conservative).
 */
export const rolloutInProgress = defineRule({
  id: 'rollout-in-progress',
  severity: 'deny',
  summary:
    'The version changes while the previous rollout is unfinished (`oldObject.status`): StatefulSet `currentRevision != updateRevision` or `updatedReplicas < replicas`; Deployment `updatedReplicas < replicas`; DaemonSet `updatedNumberScheduled < desiredNumberScheduled`; any kind `observedGeneration < metadata.generation`.',
  fix: '`kubectl rollout status` until it finishes, or `kubectl rollout undo`, then change the version.',
  kinds: WORKLOADS,
  operations: ['UPDATE'],
  profiles: 'all',
  check({ subject, kind, old, change }) {
    if (old === undefined || change === undefined || change.difference === 'none') return undefined;
    if (change.difference === 'unknown' && change.profile.premigration !== 'required') return undefined;
    const reason = unfinishedRollout(kind, old.workload);
    if (reason === undefined) return undefined;
    const target = rolloutTarget(subject);
    return {
      message:
        `${subject.ref}: previous rollout still in progress (${reason}); ` +
        `finish it (kubectl rollout status ${target}) or roll it back (kubectl rollout undo ${target}) before changing ${versionPair(change)}`,
      container: change.container,
    };
  },
});
