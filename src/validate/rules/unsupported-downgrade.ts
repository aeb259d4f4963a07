import { unfinishedRollout } from '../../datastore/rollout.js';
import { isRollback } from '../../datastore/version-change.js';
import { pathAdvice } from '../../profiles/upgrade-paths.js';
import { versionPair } from '../messages.js';
import { ALLOW_DOWNGRADE_FIX, downgradeAllowed, pathJudgement } from '../path-verdict.js';
import { defineRule, WORKLOADS } from '../rule.js';

/**
 * A minor or patch downgrade the upgrade-path table denies (a major one is `major-downgrade`'s).
 * Like that rule: not while rolling back an unfinished rollout, and overridden by allow-downgrade
 * (`risky-version-change` then warns what it risks).
 */
export const unsupportedDowngrade = defineRule({
  id: 'unsupported-downgrade',
  severity: 'deny',
  summary:
    "A minor or patch downgrade the profile's upgrade-path table denies (Cassandra 4.1 -> 4.0, Elasticsearch 8.12 -> 8.11, etcd 3.6 -> 3.5 without `etcdctl downgrade`). Not while rolling back an unfinished rollout to the version it came from.",
  fix: 'Keep the version, or follow the procedure the message names and then set `metadata.annotations["gossip-safe.io/allow-downgrade"]="true"`.',
  kinds: WORKLOADS,
  operations: ['UPDATE'],
  profiles: 'all',
  check({ subject, kind, workload, template, change, old }) {
    const j = pathJudgement(change);
    if (change === undefined || j === undefined || j.direction !== 'down' || j.verdict !== 'deny' || change.difference === 'major') return undefined;
    if (old !== undefined && isRollback(change, old.template) && unfinishedRollout(kind, old.workload) !== undefined) return undefined;
    if (downgradeAllowed(workload, template)) return undefined;
    const advice = pathAdvice(j);
    return {
      message:
        `${subject.ref}: container "${change.container}" downgrades ${versionPair(change)}, which ${j.product} does not support: ${j.why}; ` +
        `keep ${change.oldVersion?.text ?? change.oldImage}${advice === '' ? '' : `, or ${advice}`}; ${ALLOW_DOWNGRADE_FIX} overrides this`,
      container: change.container,
    };
  },
});
