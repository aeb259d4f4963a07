import { leftAlone, leftAloneWarning } from '../../datastore/ownership.js';
import { defineRule, WORKLOADS } from '../rule.js';

/**
 * A workload or pod of an operator that manages the datastore's upgrades itself (cass-operator,
 * scylla-operator, ECK, consul-k8s; profiles/operators.ts). When it reports, it is the only
 * finding: gossip-safe denies nothing there (src/validate/index.ts), since a denial would wedge
 * the operator's own rollout. Jobs' pods and Helm hooks are left alone without a word.
 */
export const operatorManaged = defineRule({
  id: 'operator-managed',
  severity: 'warn',
  summary:
    "The object belongs to an operator that manages the datastore's upgrades itself (ownerReferences to CassandraDatacenter, ScyllaCluster, Elasticsearch; or their labels; consul-k8s's `chart: consul-helm`): gossip-safe injects nothing and reports nothing else there. Jobs' pods and Helm hooks (`helm.sh/hook`) are left alone silently.",
  fix: 'Nothing; or set `operatorManaged: inject` in the profile to treat them like any workload.',
  kinds: ['Pod', ...WORKLOADS],
  operations: ['CREATE', 'UPDATE'],
  profiles: 'all',
  check({ subject, profile, workload, template }) {
    const alone = leftAlone(profile, workload?.metadata ?? template.metadata, template.metadata);
    if (alone === undefined) return undefined;
    const message = leftAloneWarning(subject.ref, profile, alone);
    return message === undefined ? undefined : { message };
  },
});
