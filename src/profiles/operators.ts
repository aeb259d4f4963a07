/**
 * Operators that manage their datastore's upgrades and restarts themselves. gossip-safe leaves
 * the workloads they own alone by default (no template annotation, no init container, no
 * denial; one warning says why); a profile's `operatorManaged: inject` opts them back in.
 * Seen in the object's `ownerReferences` (group and kind), or in the labels the operator puts
 * on the workload and its pods.
 */
export interface OperatorSignature {
  readonly name: string;
  /** Owner kinds: API group (the part of apiVersion before the slash) and kind. */
  readonly owners: readonly { readonly group: string; readonly kind: string }[];
  /** Labels: a key alone matches any value. */
  readonly labels: readonly { readonly key: string; readonly value?: string }[];
}

export const OPERATORS: readonly OperatorSignature[] = [
  {
    // k8ssandra/cass-operator: the StatefulSets of a CassandraDatacenter, labelled
    // cassandra.datastax.com/datacenter (apis/cassandra/v1beta1 labels, cass-operator 1.x).
    name: 'cass-operator (k8ssandra)',
    owners: [{ group: 'cassandra.datastax.com', kind: 'CassandraDatacenter' }],
    labels: [{ key: 'cassandra.datastax.com/datacenter' }, { key: 'app.kubernetes.io/managed-by', value: 'cass-operator' }],
  },
  {
    // scylladb/scylla-operator: StatefulSets of a ScyllaCluster (v1) or ScyllaDBDatacenter
    // (v1alpha1), labelled scylla/cluster (pkg/naming/labels.go).
    name: 'scylla-operator',
    owners: [
      { group: 'scylla.scylladb.com', kind: 'ScyllaCluster' },
      { group: 'scylla.scylladb.com', kind: 'ScyllaDBDatacenter' },
    ],
    labels: [{ key: 'scylla/cluster' }, { key: 'app.kubernetes.io/managed-by', value: 'scylla-operator' }],
  },
  {
    // elastic/cloud-on-k8s (ECK): StatefulSets of an Elasticsearch resource, labelled
    // elasticsearch.k8s.elastic.co/cluster-name (pkg/controller/elasticsearch/label).
    name: 'ECK',
    owners: [{ group: 'elasticsearch.k8s.elastic.co', kind: 'Elasticsearch' }],
    labels: [{ key: 'elasticsearch.k8s.elastic.co/cluster-name' }, { key: 'common.k8s.elastic.co/type', value: 'elasticsearch' }],
  },
  {
    // hashicorp/consul-k8s: its Helm chart labels every object chart=consul-helm
    // (charts/consul/templates/_helpers.tpl, consul.chart); servers use leave_on_terminate and
    // the chart's server.updatePartition for upgrades.
    name: 'consul-k8s',
    owners: [],
    labels: [{ key: 'chart', value: 'consul-helm' }],
  },
];
