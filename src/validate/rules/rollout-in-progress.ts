import { unfinishedRollout } from '../../datastore/rollout.js';
import { isRollback, rolloutSource } from '../../datastore/version-change.js';
import { imageVersion } from '../../profiles/version.js';
import { rolloutTarget, versionPair } from '../messages.js';
import { defineRule, WORKLOADS } from '../rule.js';

/**
 * A datastore version change on top of an unfinished rollout: two version changes in flight.
 * Every profile: with known versions on both sides; for profiles that require pre-migration
 * also when a version cannot be read (conservative). A rollback to the version the unfinished
 * rollout came from is the escape hatch and is allowed (`rollback-during-rollout` warns).
 */
export const rolloutInProgress = defineRule({
  id: 'rollout-in-progress',
  severity: 'deny',
  summary:
    'The version changes while the previous rollout is unfinished (`oldObject.status`): StatefulSet `currentRevision != updateRevision` or `updatedReplicas < replicas`; Deployment `updatedReplicas < replicas`; DaemonSet `updatedNumberScheduled < desiredNumberScheduled`; any kind `observedGeneration < metadata.generation`.',
  fix: '`kubectl rollout status` until it finishes, then change the version; or abort it by going back to the version it came from (`kubectl rollout undo`), which is allowed.',
  kinds: WORKLOADS,
  operations: ['UPDATE'],
  profiles: 'all',
  check({ subject, kind, old, change }) {
    if (old === undefined || change === undefined || change.difference === 'none') return undefined;
    if (isRollback(change, old.template)) return undefined;
    if (change.difference === 'unknown' && change.profile.premigration !== 'required') return undefined;
    const reason = unfinishedRollout(kind, old.workload);
    if (reason === undefined) return undefined;
    const target = rolloutTarget(subject);
    // Only name the rollback this rule allows: back to the version the rollout came from, when known.
    const from = rolloutSource(old.template, change);
    const undo = from === undefined ? '' : `, or abort it by going back to ${imageVersion(from)?.text ?? JSON.stringify(from)} (kubectl rollout undo ${target})`;
    return {
      message:
        `${subject.ref}: previous rollout still in progress (${reason}); ` +
        `finish it (kubectl rollout status ${target}) before changing ${versionPair(change)}${undo}`,
      container: change.container,
    };
  },
});
