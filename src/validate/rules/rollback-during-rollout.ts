import { unfinishedRollout } from '../../datastore/rollout.js';
import { isRollback } from '../../datastore/version-change.js';
import { rolloutTarget, versionPair } from '../messages.js';
import { defineRule, WORKLOADS } from '../rule.js';

/**
 * The escape hatch of a rolling upgrade: back to the version the unfinished rollout came from.
 * `rollout-in-progress` and `major-downgrade` allow it; this says what it cannot undo.
 */
export const rollbackDuringRollout = defineRule({
  id: 'rollback-during-rollout',
  severity: 'warn',
  summary:
    "A workload UPDATE goes back to the version named in the stored template's `migrate-from-image` (`kubectl rollout undo`, `helm rollback`) while that rollout is unfinished. Allowed; pods already on the newer version may hold data files the older one cannot read.",
  fix: 'Watch the pods that had reached the newer version: if they refuse to start (`REFUSED: the data holds SSTable format ...`), their data needs the newer version; restore them from a backup or roll forward.',
  kinds: WORKLOADS,
  operations: ['UPDATE'],
  profiles: 'all',
  check({ subject, kind, old, change }) {
    if (old === undefined || change === undefined || !isRollback(change, old.template)) return undefined;
    const reason = unfinishedRollout(kind, old.workload);
    if (reason === undefined) return undefined;
    const newer = change.oldVersion?.text ?? JSON.stringify(change.oldImage);
    const older = change.newVersion?.text ?? JSON.stringify(change.newImage);
    return {
      message:
        `${subject.ref}: rolls back ${versionPair(change)} while that rollout is unfinished (${reason}); allowed, but pods already on ${newer} may hold data files ${older} cannot read: ` +
        `watch kubectl rollout status ${rolloutTarget(subject)}, and restore from a backup or roll forward any pod that refuses to start`,
      container: change.container,
    };
  },
});
