/** Manifests the CLI tests commit to temporary repositories, as a user would write them. */

export function cassandraStatefulSet(image: string): string {
  return `# Cassandra ring for the orders service
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: cassandra
  namespace: db
spec:
  serviceName: cassandra
  replicas: 3
  selector:
    matchLabels:
      app: cassandra
  template:
    metadata:
      labels:
        app: cassandra
    spec:
      terminationGracePeriodSeconds: 180
      containers:
      - name: cassandra
        image: ${image}   # bumped by Renovate
        ports:
        - containerPort: 7000
          name: intra-node
        volumeMounts:
        - name: data
          mountPath: /var/lib/cassandra
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: ["ReadWriteOnce"]
      resources:
        requests:
          storage: 10Gi
`;
}

export const SERVICE = `# Headless service: stable DNS names for the ring.
apiVersion: v1
kind: Service
metadata:
  name: cassandra
  namespace: db
  labels: {app: cassandra}
spec:
  clusterIP: None   # headless
  selector:
    app: cassandra
  ports:
  - port: 9042
    name: cql
`;

export const SERF_DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: serf
  namespace: db
spec:
  replicas: 3
  selector:
    matchLabels: {app: serf}
  template:
    metadata:
      labels: {app: serf}
    spec:
      containers:
      - name: serf   # the gossip agent
        image: hashicorp/serf:0.10.1
        args: ["agent", "-join", "serf-0.serf"]
        env:
        - name: SERF_LOG_LEVEL
          value: info
`;

/** The three documents of the inject acceptance test, in one file. */
export const MULTI_DOC = `${SERVICE}---
${SERF_DEPLOYMENT}---
${cassandraStatefulSet('cassandra:4.1.3')}`;

/** An AdmissionReview request as the apiserver sends it for a manifest object (v1). */
export function admissionReview(request: {
  operation: 'CREATE' | 'UPDATE';
  group: string;
  kind: string;
  resource: string;
  namespace: string;
  name?: string;
  object: unknown;
  oldObject?: unknown;
}): { apiVersion: string; kind: string; request: { uid: string; [key: string]: unknown } } {
  const { group, kind, resource, ...rest } = request;
  const { operation } = request;
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `cli-test-${operation.toLowerCase()}-${resource}`,
      kind: { group, version: 'v1', kind },
      resource: { group, version: 'v1', resource },
      ...rest,
    },
  };
}
