import { pathAdvice } from '../../profiles/upgrade-paths.js';
import { versionPair } from '../messages.js';
import { pathJudgement } from '../path-verdict.js';
import { defineRule, WORKLOADS } from '../rule.js';

/** The profile's upgrade-path table (docs/upgrade-paths.md) denies this upgrade: a required step is skipped. */
export const unsupportedUpgrade = defineRule({
  id: 'unsupported-upgrade',
  severity: 'deny',
  summary:
    "An upgrade the datastore does not support, by the profile's upgrade-path table (docs/upgrade-paths.md): a required intermediate version is skipped (Cassandra 3.11 -> 5.0, Elasticsearch 7.10 -> 8.15, etcd 3.4 -> 3.6, ScyllaDB 5.2 -> 6.0).",
  fix: 'Upgrade to the intermediate version the message names first, and finish that rollout.',
  kinds: WORKLOADS,
  operations: ['UPDATE'],
  profiles: 'all',
  check({ subject, change }) {
    const j = pathJudgement(change);
    if (change === undefined || j === undefined || j.direction !== 'up' || j.verdict !== 'deny') return undefined;
    return { message: `${subject.ref}: container "${change.container}" ${versionPair(change)} is not a supported upgrade: ${j.why}; ${pathAdvice(j)}`, container: change.container };
  },
});
