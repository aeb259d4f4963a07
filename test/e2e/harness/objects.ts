/** Manifests the scenarios apply, as kubectl would get them from a user (YAML on stdin). */

export interface PodOptions {
  readonly name: string;
  readonly image: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  /** Restricted Pod Security (the gossip-safe namespace enforces it). */
  readonly restricted?: boolean;
}

const map = (indent: string, m: Record<string, string> | undefined): string =>
  m === undefined || Object.keys(m).length === 0 ? '{}' : `\n${Object.entries(m).map(([k, v]) => `${indent}${k}: ${JSON.stringify(v)}`).join('\n')}`;

export function podYaml(o: PodOptions): string {
  const restrictedPod = o.restricted === true ? '\n  securityContext: {runAsNonRoot: true, runAsUser: 999, seccompProfile: {type: RuntimeDefault}}' : '';
  const restrictedContainer = o.restricted === true ? '\n      securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}' : '';
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${o.name}
  labels: ${map('    ', o.labels)}
  annotations: ${map('    ', o.annotations)}
spec:${restrictedPod}
  containers:
    - name: main
      image: ${o.image}${restrictedContainer}
`;
}

/**
 * The README's StatefulSet (install step 4) with the data on a PersistentVolumeClaim, as any
 * real Cassandra has it. No kubelet runs, so its pods and claims stay Pending.
 */
export function cassandraStatefulSet(image: string, annotations?: Record<string, string>): string {
  return `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: cassandra}
spec:
  serviceName: cassandra
  replicas: 1
  selector: {matchLabels: {app: cassandra}}
  template:
    metadata:
      labels: {app: cassandra}${annotations === undefined ? '' : `\n      annotations: ${map('        ', annotations)}`}
    spec:
      containers:
        - name: cassandra
          image: ${image}
          volumeMounts:
            - {name: data, mountPath: /var/lib/cassandra}
  volumeClaimTemplates:
    - metadata: {name: data}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: 1Gi}}
`;
}
