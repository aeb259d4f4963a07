import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasSchema, schemaErrors } from '../helpers/k8s-schema.js';
import type { K8sObject } from '../helpers/kustomize.js';
import { ensureDevCertificates } from '../../src/tls/dev-certs.js';
import { startTestWebhook, type TestWebhook } from '../helpers/webhook-server.js';
import { byId, CHART, helm, KUBE_VERSION, renderChart, runHelm } from './helm.js';

/**
 * The overrides platform teams set on every chart (issue "installable by a stranger"), the PDB
 * guard, the ServiceMonitor's TLS verification and the helm test probe, with the pinned helm.
 */

beforeAll(() => void helm(), 25 * 60_000);

interface PodSpec {
  serviceAccountName?: string;
  priorityClassName?: string;
  securityContext?: Record<string, unknown>;
  nodeSelector?: Record<string, string>;
  tolerations?: unknown[];
  affinity?: Record<string, unknown>;
  containers: { name: string; args?: string[]; env?: { name: string }[]; securityContext?: Record<string, unknown> }[];
  initContainers?: { name: string; securityContext?: Record<string, unknown> }[];
}
interface PodTemplate {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}
const podTemplate = (objects: readonly K8sObject[]): PodTemplate => {
  const d = objects.find((o) => o.kind === 'Deployment') as unknown as { spec: { template: PodTemplate } } | undefined;
  if (d === undefined) throw new Error('no Deployment rendered');
  return d.spec.template;
};
const webhook = (t: PodTemplate): PodSpec['containers'][number] => {
  const c = t.spec.containers.find((x) => x.name === 'webhook');
  if (c === undefined) throw new Error('no webhook container');
  return c;
};

const OVERRIDES: Record<string, unknown> = {
  podLabels: { team: 'platform' },
  podAnnotations: { 'example.com/scrape': 'false' },
  podSecurityContext: { runAsNonRoot: true, runAsUser: 20001, runAsGroup: 20001, fsGroup: 20001, seccompProfile: { type: 'RuntimeDefault' } },
  securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seLinuxOptions: { level: 's0:c1,c2' } },
  serviceAccount: { create: true, name: 'webhook-sa', annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/x' } },
  priorityClassName: 'platform-critical',
  nodeSelector: { 'node-role.kubernetes.io/system': '' },
  tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }],
  affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }] }] } } },
  extraArgs: ['--body-limit', '1048576'],
  extraEnv: [{ name: 'NODE_OPTIONS', value: '--max-old-space-size=200' }],
  networkPolicy: { enabled: false },
};

const MATRIX: Record<string, Record<string, unknown>> = {
  'every override': OVERRIDES,
  'every override, cert-manager with a ClusterIssuer': { ...OVERRIDES, certManager: { enabled: true, issuerRef: { name: 'corp-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' } } },
  'an existing service account': { serviceAccount: { create: false, name: 'existing-sa' } },
  'no PDB, one replica': { replicaCount: 1, podDisruptionBudget: { enabled: false } },
  'monitoring with the default TLS': { metrics: { serviceMonitor: { enabled: true }, podMonitor: { enabled: true } } },
  'autoscaling above the PDB': { autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 6 }, podDisruptionBudget: { minAvailable: 2 } },
};

describe.each(Object.entries(MATRIX))('helm template with %s', (_name, values) => {
  test('renders only objects valid under the Kubernetes (and CRD) schemas', () => {
    const objects = renderChart(values, 'gossip-safe', { tests: true });
    expect(objects.some((o) => o.kind === 'Pod')).toBe(true);
    for (const o of objects) {
      const id = `${o.kind}/${o.metadata.name}`;
      expect({ id, known: hasSchema(o) }).toEqual({ id, known: true });
      expect({ id, errors: schemaErrors(o) }).toEqual({ id, errors: [] });
    }
  });
});

test('the pod overrides reach the pod template, the webhook container and the init container', () => {
  const objects = renderChart(OVERRIDES);
  const t = podTemplate(objects);
  expect(t.metadata.labels).toMatchObject({ team: 'platform', 'app.kubernetes.io/name': 'gossip-safe', 'gossip-safe.io/inject': 'disabled' });
  expect(t.metadata.annotations).toEqual({ 'example.com/scrape': 'false' });
  expect(t.spec.securityContext).toEqual(OVERRIDES.podSecurityContext);
  expect(webhook(t).securityContext).toEqual(OVERRIDES.securityContext);
  expect(t.spec.initContainers?.map((c) => c.securityContext)).toEqual([OVERRIDES.securityContext]);
  expect(t.spec.priorityClassName).toBe('platform-critical');
  expect(t.spec.nodeSelector).toEqual(OVERRIDES.nodeSelector);
  expect(t.spec.tolerations).toEqual(OVERRIDES.tolerations);
  // Helm merges maps: the default podAntiAffinity stays unless set to null.
  expect(t.spec.affinity).toMatchObject(OVERRIDES.affinity as Record<string, unknown>);
  expect(webhook(t).args?.slice(-2)).toEqual(['--body-limit', '1048576']);
  expect(webhook(t).env?.map((e) => e.name)).toEqual(['POD_NAMESPACE', 'NODE_OPTIONS']);
});

test('priorityClassName defaults to system-cluster-critical, and an empty one renders none', () => {
  expect(podTemplate(renderChart()).spec.priorityClassName).toBe('system-cluster-critical');
  expect(podTemplate(renderChart({ priorityClassName: '' })).spec.priorityClassName).toBeUndefined();
});

test('serviceAccount: the named account is created, annotated, used and bound; create=false only uses it', () => {
  const created = byId(renderChart(OVERRIDES));
  const sa = created.get('ServiceAccount/gossip-safe/webhook-sa');
  expect(sa?.metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/x' });
  expect(created.has('ServiceAccount/gossip-safe/gossip-safe')).toBe(false);
  const subjects = [...created.values()]
    .filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')
    .flatMap((o) => (o as unknown as { subjects: { name: string }[] }).subjects.map((s) => s.name));
  expect(subjects.length).toBeGreaterThan(0);
  expect(new Set(subjects)).toEqual(new Set(['webhook-sa']));
  expect(podTemplate([...created.values()]).spec.serviceAccountName).toBe('webhook-sa');

  const existing = renderChart({ serviceAccount: { create: false, name: 'existing-sa' } });
  expect(existing.filter((o) => o.kind === 'ServiceAccount')).toEqual([]);
  expect(podTemplate(existing).spec.serviceAccountName).toBe('existing-sa');
});

test("certManager.issuerRef issues the serving certificate from that issuer and drops the chart's own CA", () => {
  const objects = renderChart({ certManager: { enabled: true, issuerRef: { name: 'corp-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' } } });
  const certs = objects.filter((o) => o.kind === 'Certificate' || o.kind === 'Issuer');
  expect(certs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Certificate/gossip-safe-serving']);
  expect((certs[0] as unknown as { spec: { issuerRef: unknown } }).spec.issuerRef).toEqual({ name: 'corp-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
});

test('the ServiceMonitor and PodMonitor verify the serving certificate by default, with the CA in gossip-safe-tls', () => {
  const objects = renderChart({ metrics: { serviceMonitor: { enabled: true }, podMonitor: { enabled: true } } }, 'platform');
  const tls = objects
    .filter((o) => o.kind === 'ServiceMonitor' || o.kind === 'PodMonitor')
    .map((o) => {
      const spec = (o as unknown as { spec: { endpoints?: { tlsConfig: unknown }[]; podMetricsEndpoints?: { tlsConfig: unknown }[] } }).spec;
      return (spec.endpoints ?? spec.podMetricsEndpoints ?? [])[0]?.tlsConfig;
    });
  const verified = { ca: { secret: { name: 'gossip-safe-tls', key: 'ca.crt' } }, serverName: 'gossip-safe.platform.svc' };
  expect(tls).toEqual([verified, verified]);
  expect(JSON.stringify(objects)).not.toContain('insecureSkipVerify');
  const skipped = renderChart({ metrics: { serviceMonitor: { enabled: true, tlsConfig: { insecureSkipVerify: true } } } });
  expect(JSON.stringify(skipped)).toContain('"insecureSkipVerify":true');
});

function templateError(values: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gossip-safe-chart-'));
  try {
    const file = join(dir, 'values.json');
    writeFileSync(file, JSON.stringify(values));
    const r = runHelm(['template', 'gossip-safe', CHART, '--namespace', 'gossip-safe', '--kube-version', KUBE_VERSION, '--values', file]);
    return r.code === 0 ? '(rendered)' : r.stderr;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test.each([
  ['one replica with the default minAvailable 1', { replicaCount: 1 }, 'podDisruptionBudget.minAvailable=1 with replicaCount=1 blocks every node drain'],
  ['minAvailable equal to the replicas', { replicaCount: 2, podDisruptionBudget: { minAvailable: 2 } }, 'podDisruptionBudget.minAvailable=2 with replicaCount=2 blocks every node drain'],
  ['minAvailable above the replicas', { replicaCount: 2, podDisruptionBudget: { minAvailable: 3 } }, 'podDisruptionBudget.minAvailable=3 with replicaCount=2'],
  ['minAvailable equal to the HPA minimum', { autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 4 }, podDisruptionBudget: { minAvailable: 2 } }, 'podDisruptionBudget.minAvailable=2 with autoscaling.minReplicas=2'],
  ['minAvailable 100%', { podDisruptionBudget: { minAvailable: '100%' } }, 'podDisruptionBudget.minAvailable=100% blocks every node drain'],
])('rendering refuses a PDB that blocks every drain: %s', (_name, values, message) => {
  expect(templateError(values)).toContain(message);
});

test('a PDB below the replicas renders, and podDisruptionBudget.enabled=false renders none', () => {
  expect(renderChart({ replicaCount: 3, podDisruptionBudget: { minAvailable: 2 } }).filter((o) => o.kind === 'PodDisruptionBudget')).toHaveLength(1);
  expect(renderChart({ replicaCount: 2, podDisruptionBudget: { minAvailable: '50%' } }).filter((o) => o.kind === 'PodDisruptionBudget')).toHaveLength(1);
  expect(renderChart({ replicaCount: 1, podDisruptionBudget: { enabled: false } }).filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
});

test.each([
  ['podAnnotations', { podAnnotations: { a: 1 } }, "at '/podAnnotations/a': got number, want string"],
  ['podLabels', { podLabels: ['team'] }, "at '/podLabels': got array, want object"],
  ['serviceAccount.create', { serviceAccount: { create: 'yes' } }, "at '/serviceAccount/create': got string, want boolean"],
  ['serviceAccount.name', { serviceAccount: { name: 'Web_Hook' } }, "at '/serviceAccount/name'"],
  ['serviceAccount unknown key', { serviceAccount: { automount: true } }, "additional properties 'automount' not allowed"],
  ['extraArgs', { extraArgs: '--body-limit 1' }, "at '/extraArgs': got string, want array"],
  ['extraEnv', { extraEnv: [{ value: 'x' }] }, "at '/extraEnv/0': missing property 'name'"],
  ['certManager.issuerRef.kind', { certManager: { enabled: true, issuerRef: { name: 'x', kind: 'Vault' } } }, "at '/certManager/issuerRef/kind'"],
  ['certManager.issuerRef without name', { certManager: { enabled: true, issuerRef: { kind: 'ClusterIssuer' } } }, "at '/certManager/issuerRef'"],
  ['podDisruptionBudget.enabled', { podDisruptionBudget: { enabled: 'no' } }, "at '/podDisruptionBudget/enabled': got string, want boolean"],
  ['networkPolicy.enabled', { networkPolicy: { enabled: 1 } }, "at '/networkPolicy/enabled': got number, want boolean"],
])('values.schema.json refuses a bad %s with a message naming it', (_name, values, message) => {
  expect(templateError(values)).toContain(message);
});

describe('helm test', () => {
  let server: TestWebhook | undefined;
  afterAll(async () => {
    await server?.stop();
  });

  test('renders a test-hook pod on the webhook image that probes the Service with the CA of gossip-safe-tls', () => {
    const pod = renderChart({ image: { repository: 'registry.example/gossip-safe', tag: '1.2.3' } }, 'platform', { tests: true }).find((o) => o.metadata.name === 'gossip-safe-test-probe') as unknown as
      | { metadata: { annotations: Record<string, string> }; spec: { containers: { image: string; command: string[]; env: { name: string; value: string }[] }[]; volumes: { secret: { secretName: string } }[] } }
      | undefined;
    expect(pod?.metadata.annotations['helm.sh/hook']).toBe('test');
    expect(pod?.spec.containers[0]?.image).toBe('registry.example/gossip-safe:1.2.3');
    expect(pod?.spec.containers[0]?.command).toEqual(['node', '-e']);
    expect(pod?.spec.containers[0]?.env).toEqual([
      { name: 'PROBE_URL', value: 'https://gossip-safe.platform.svc:443' },
      { name: 'PROBE_CA_FILE', value: '/ca/ca.crt' },
    ]);
    expect(pod?.spec.volumes[0]?.secret.secretName).toBe('gossip-safe-tls');
    expect(renderChart({ helmTest: { enabled: false } }, 'gossip-safe', { tests: true }).some((o) => o.metadata.name === 'gossip-safe-test-probe')).toBe(false);
  });

  const probe = (url: string, caFile: string): Promise<{ code: number | null; out: string }> =>
    new Promise((resolve) => {
      const script = readFileSync(join(CHART, 'files', 'webhook-probe.js'), 'utf8');
      const child = spawn(process.execPath, ['-e', script], { env: { ...process.env, PROBE_URL: url, PROBE_CA_FILE: caFile }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      child.on('close', (code) => resolve({ code, out }));
    });

  test('the probe script passes against a real server with its CA, and fails with one line against another CA', async () => {
    server = await startTestWebhook();
    const url = `https://127.0.0.1:${String(server.running.port)}`;
    const ok = await probe(url, server.certs.caFile);
    expect(ok.out).toContain('is ready and answered a review');
    expect(ok.code).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'gossip-safe-probe-'));
    try {
      const other = await ensureDevCertificates(dir);
      const bad = await probe(url, other.caFile);
      expect(bad.code).toBe(1);
      expect(bad.out.trim().split('\n')).toHaveLength(1);
      expect(bad.out).toMatch(/^gossip-safe probe: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

/** The HA part of NOTES.txt (named template gossip-safe.haWarning), rendered by helm through a copy of the chart. */
function haWarning(values: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gossip-safe-notes-'));
  try {
    cpSync(CHART, join(dir, 'chart'), { recursive: true });
    writeFileSync(join(dir, 'chart', 'templates', 'zz-notes-probe.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: notes-probe}\ndata:\n  notes: {{ include "gossip-safe.haWarning" . | toJson }}\n');
    writeFileSync(join(dir, 'values.json'), JSON.stringify(values));
    const r = runHelm(['template', 'g', join(dir, 'chart'), '--kube-version', KUBE_VERSION, '--values', join(dir, 'values.json'), '--show-only', 'templates/zz-notes-probe.yaml']);
    if (r.code !== 0) throw new Error(`helm template failed: ${r.stderr.trim()}`);
    const cm = parseYaml(r.stdout) as { data: { notes: string } };
    return cm.data.notes.trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('NOTES warn when high availability is off, and say nothing when it is on', () => {
  expect(haWarning({})).toBe('');
  expect(haWarning({ replicaCount: 1, podDisruptionBudget: { enabled: false } })).toMatch(/^WARNING: high availability is off: replicaCount is 1\./);
  expect(haWarning({ replicaCount: 1, podDisruptionBudget: { enabled: false } })).toContain('WARNING: podDisruptionBudget.enabled is false');
  expect(haWarning({ autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 3 }, podDisruptionBudget: { minAvailable: 0 } })).toMatch(/^WARNING: high availability is off: autoscaling.minReplicas is 1\./);
});

test('NOTES.txt includes the HA warning', () => {
  expect(readFileSync(join(CHART, 'templates', 'NOTES.txt'), 'utf8')).toContain('{{- include "gossip-safe.haWarning" . }}');
});
