import { unfinishedRollout } from '../../datastore/rollout.js';
import { isRollback } from '../../datastore/version-change.js';
import { pathAdvice } from '../../profiles/upgrade-paths.js';
import { versionPair } from '../messages.js';
import { downgradeAllowed, pathJudgement } from '../path-verdict.js';
import { defineRule, WORKLOADS } from '../rule.js';
import { ANNOTATION_ALLOW_DOWNGRADE } from '../../contract.js';

/**
 * A version change the upgrade-path table allows with a risk (a Consul downgrade, a ScyllaDB
 * rollback to the previous release), or a denied downgrade that allow-downgrade overrides: the
 * warning says what it risks.
 */
export const riskyVersionChange = defineRule({
  id: 'risky-version-change',
  severity: 'warn',
  summary:
    "A version change the upgrade-path table allows at a risk (a ScyllaDB rollback to the previous release, a Consul downgrade), or a downgrade denied by the table or `major-downgrade` that `gossip-safe.io/allow-downgrade` lets through: the warning names the risk.",
  fix: 'Read the risk and the upstream procedure in docs/upgrade-paths.md before rolling out.',
  kinds: WORKLOADS,
  operations: ['UPDATE'],
  profiles: 'all',
  check({ subject, kind, workload, template, change, old }) {
    const j = pathJudgement(change);
    if (change === undefined || j === undefined) return undefined;
    const pair = versionPair(change);
    if (j.verdict === 'warn') {
      const advice = pathAdvice(j);
      return { message: `${subject.ref}: container "${change.container}" ${pair} is supported with a risk: ${j.why}${advice === '' ? '' : `; ${advice}`}`, container: change.container };
    }
    if (j.verdict !== 'deny' || j.direction !== 'down' || !downgradeAllowed(workload, template)) return undefined;
    if (old !== undefined && isRollback(change, old.template) && unfinishedRollout(kind, old.workload) !== undefined) return undefined;
    return {
      message: `${subject.ref}: container "${change.container}" downgrades ${pair}, allowed by ${ANNOTATION_ALLOW_DOWNGRADE}; it risks: ${j.why}`,
      container: change.container,
    };
  },
});
