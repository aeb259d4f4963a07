import type { AdmissionRequest } from '../src/admission/types.js';
import type { Container, EnvVar, Pod } from '../src/k8s/types.js';

/** The datastore container carries all 1,500 env vars (the array gossip-safe appends to); the
 * other 29 containers and 20 init containers carry 30 each, as typical sidecars do. */
export const STRESS_SHAPE = { envVars: 1500, containers: 30, initContainers: 20, sidecarEnvVars: 30 } as const;

function envVars(prefix: string, count: number): EnvVar[] {
  return Array.from({ length: count }, (_, i) =>
    i % 5 === 0
      ? { name: `${prefix}_REF_${i}`, valueFrom: { configMapKeyRef: { name: 'settings', key: `key-${i}` } } }
      : { name: `${prefix}_VAR_${i}`, value: `value-${i}-${'x'.repeat(i % 40)}` },
  );
}

function container(name: string, image: string, env: EnvVar[]): Container {
  return {
    name,
    image,
    env,
    ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }],
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
    volumeMounts: [
      { name: 'data', mountPath: '/var/lib/cassandra' },
      { name: 'config', mountPath: '/etc/app', readOnly: true },
    ],
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: 'IfNotPresent',
  };
}

/**
 * The pathological pod of Istio #34799, built in code: 30 containers and 20 init containers, the
 * first container a Cassandra node with 1,500 env vars (so gossip-safe injects into it and diffs
 * that array), and a large managedFields block as the apiserver sends.
 */
export function stressPod(): Pod {
  const n = STRESS_SHAPE.sidecarEnvVars;
  const containers = Array.from({ length: STRESS_SHAPE.containers }, (_, i) =>
    i === 0
      ? container('cassandra', 'cassandra:4.1.3', envVars('CASSANDRA', STRESS_SHAPE.envVars))
      : container(`sidecar-${i}`, `registry.example.com/tools/sidecar-${i}:1.0.${i}`, envVars(`SIDECAR${i}`, n)),
  );
  const initContainers = Array.from({ length: STRESS_SHAPE.initContainers }, (_, i) =>
    container(`init-${i}`, `registry.example.com/tools/init-${i}:2.0.${i}`, envVars(`INIT${i}`, n)),
  );
  const envFields = (c: Container): Record<string, unknown> =>
    Object.fromEntries((c.env ?? []).map((e) => [`k:{"name":"${e.name}"}`, { '.': {}, 'f:name': {}, 'f:value': {} }]));
  const fieldsV1 = { 'f:spec': Object.fromEntries(containers.map((c) => [`k:{"name":"${c.name}"}`, { 'f:env': envFields(c) }])) };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: 'stress-',
      namespace: 'bench',
      labels: { app: 'stress' },
      managedFields: [{ manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1 }],
    },
    spec: {
      containers,
      initContainers,
      volumes: [
        { name: 'data', emptyDir: {} },
        { name: 'config', configMap: { name: 'settings' } },
      ],
      terminationGracePeriodSeconds: 30,
    },
  };
}

/** The stress pod's CREATE review, as the apiserver would send it. */
export function stressRequest(pod: Pod = stressPod()): AdmissionRequest {
  return {
    uid: '00000000-0000-4000-8000-000000001500',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    resource: { group: '', version: 'v1', resource: 'pods' },
    namespace: 'bench',
    operation: 'CREATE',
    object: pod,
    dryRun: false,
  };
}
