import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadProfileSet } from '../../src/profiles/config.js';
import { parseServeConfig } from '../../src/cli/serve.js';
import { profileForImage } from '../../src/profiles/profile-set.js';
import { PROJECT_DIR } from '../helpers/fixtures.js';
import { hasSchema, schemaErrors } from '../helpers/k8s-schema.js';
import { renderKustomization, type K8sObject } from '../helpers/kustomize.js';
import { byId, CHART, helm, idOf, KUBE_VERSION, renderChart, renderOverlay, runHelm, withoutHelmLabels } from './helm.js';

/**
 * The Helm chart, with the real helm (built from test/chart/tools/go.mod, cached). Rendered
 * objects are schema-checked with test/helpers/k8s-schema.ts (kubernetes-models' OpenAPI schemas
 * plus client-node's field maps; cert-manager and prometheus-operator CRD schemas): kubeconform
 * would fetch its schemas from the network, which these machines cannot reach.
 */

// .ci/run builds helm before npm test; a cold developer run builds it here (about 12 minutes).
beforeAll(() => void helm(), 25 * 60_000);

const FULL: Record<string, unknown> = {
  image: { repository: 'registry.example/gossip-safe', tag: '0.1.0', digest: `sha256:${'a'.repeat(64)}`, pullPolicy: 'Always' },
  imagePullSecrets: [{ name: 'regcred' }],
  replicaCount: 3,
  workers: 2,
  autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 70 },
  resources: { webhook: { requests: { cpu: '200m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } } },
  nodeSelector: { 'kubernetes.io/os': 'linux' },
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'system', effect: 'NoSchedule' }],
  priorityClassName: 'system-cluster-critical',
  webhooks: { mutate: { failurePolicy: 'Fail', timeoutSeconds: 10 }, enforce: { failurePolicy: 'Fail', timeoutSeconds: 8 }, warn: { failurePolicy: 'Ignore', timeoutSeconds: 2 } },
  excludedNamespaces: ['kube-system', 'kube-public', 'monitoring'],
  matchConditions: { enabled: true },
  profiles: { serf: { extraImages: ['mycorp/chat-*'] }, cassandra: { migrateOn: 'minor' } },
  logLevel: 'debug',
  metrics: { serviceMonitor: { enabled: true, labels: { release: 'prom' } }, podMonitor: { enabled: true, interval: '1m' } },
  alerts: { enabled: true, labels: { release: 'prom' }, gossipHealthExamples: true },
  dashboards: { enabled: true, namespace: 'monitoring', labels: { team: 'platform' }, annotations: { grafana_folder: 'Platform' } },
  audit: { clusterRole: true, cronJob: { enabled: true } },
  namespace: { create: true },
};

/** The value matrix: each entry must render schema-valid objects. */
const MATRIX: Record<string, Record<string, unknown>> = {
  defaults: {},
  'cert-manager': { certManager: { enabled: true } },
  'match conditions': { matchConditions: { enabled: true } },
  'profiles config': { profiles: { mygossip: { images: ['mycorp/mygossip'], nodeNameMode: 'always', leave: [{ command: ['mygossip', 'leave'] }], minGraceSeconds: 20, premigration: 'not-applicable', dataDirs: [] } } },
  monitoring: { metrics: { serviceMonitor: { enabled: true }, podMonitor: { enabled: true } }, alerts: { enabled: true } },
  'everything on': FULL,
  'everything on, cert-manager': { ...FULL, certManager: { enabled: true } },
  'one replica, fail-open enforce': { replicaCount: 1, podDisruptionBudget: { minAvailable: 0 }, webhooks: { mutate: { failurePolicy: 'Ignore', timeoutSeconds: 5 }, enforce: { failurePolicy: 'Ignore', timeoutSeconds: 5 }, warn: { failurePolicy: 'Ignore', timeoutSeconds: 3 } } },
};

test('helm lint --strict passes, with the defaults and with every option on', () => {
  for (const values of [{}, FULL]) {
    const dir = mkdtempSync(join(tmpdir(), 'gossip-safe-lint-'));
    try {
      writeFileSync(join(dir, 'values.json'), JSON.stringify(values));
      const r = runHelm(['lint', '--strict', CHART, '--kube-version', KUBE_VERSION, '--values', join(dir, 'values.json')]);
      expect(`${r.stdout}${r.stderr}`).toContain('1 chart(s) linted, 0 chart(s) failed');
      expect(r.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

describe.each(Object.entries(MATRIX))('helm template with %s', (_name, values) => {
  test('renders only objects valid under the Kubernetes (and CRD) schemas', () => {
    const objects = renderChart(values);
    expect(objects.length).toBeGreaterThan(5);
    expect(objects.filter((o) => !hasSchema(o)).map(idOf)).toEqual([]);
    expect(objects.flatMap((o) => schemaErrors(o))).toEqual([]);
    // Unique identities: two objects of one name would make helm install fail.
    expect(new Set(objects.map(idOf)).size).toBe(objects.length);
  });
});

test("the chart's defaults are the kustomize base, object by object, apart from Helm's labels and the Namespace", () => {
  const chart = byId(renderChart().map(withoutHelmLabels));
  const kustomize = byId(renderKustomization('manifests'));
  // helm install --create-namespace makes the namespace; namespace.create renders it (next test).
  expect([...kustomize.keys()].filter((id) => !chart.has(id))).toEqual(['Namespace/gossip-safe']);
  expect([...chart.keys()].filter((id) => !kustomize.has(id))).toEqual([]);
  for (const [id, o] of chart) expect({ id, o }).toEqual({ id, o: kustomize.get(id) });
});

test('with namespace.create the chart renders exactly the kustomize base', () => {
  expect(byId(renderChart({ namespace: { create: true } }).map(withoutHelmLabels))).toEqual(byId(renderKustomization('manifests')));
});

test('certManager.enabled renders manifests/cert-manager, and matchConditions.enabled the match-conditions overlay', () => {
  const strip = (objects: K8sObject[]) => byId(objects.map(withoutHelmLabels));
  const certManager = strip(renderChart({ certManager: { enabled: true }, namespace: { create: true } }));
  const certManagerKustomize = byId(renderKustomization('manifests/cert-manager'));
  // kustomize's base labels reach only the base's objects, not certificates.yaml's.
  for (const o of certManager.values()) if (o.kind === 'Issuer' || o.kind === 'Certificate') delete o.metadata.labels;
  expect(certManager).toEqual(certManagerKustomize);
  expect(strip(renderChart({ matchConditions: { enabled: true }, namespace: { create: true } }))).toEqual(byId(renderKustomization('manifests/overlays/match-conditions')));
});

test('alerts.enabled and audit.clusterRole render the kustomize components', () => {
  const chart = byId(renderChart({ alerts: { enabled: true }, audit: { clusterRole: true }, namespace: { create: true } }).map(withoutHelmLabels));
  const kustomize = byId(renderOverlay(['manifests'], ['manifests/components/alerts', 'manifests/components/audit-rbac']));
  expect([...chart.keys()].sort()).toEqual([...kustomize.keys()].sort());
  for (const id of ['PrometheusRule/gossip-safe/gossip-safe', 'ClusterRole/gossip-safe-audit', 'ClusterRole/gossip-safe-audit-reports']) {
    const { metadata: _a, ...chartBody } = chart.get(id) as K8sObject;
    const { metadata: _b, ...kustomizeBody } = kustomize.get(id) as K8sObject;
    expect({ id, body: chartBody }).toEqual({ id, body: kustomizeBody });
  }
});

test('another release namespace is used everywhere, and always excluded from the webhooks', () => {
  const objects = renderChart({ alerts: { enabled: true } }, 'platform-webhooks');
  const namespaced = objects.filter((o) => !['ClusterRole', 'ClusterRoleBinding', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'].includes(o.kind));
  expect(namespaced.map((o) => o.metadata.namespace).filter((n) => n !== 'platform-webhooks')).toEqual([]);
  const text = JSON.stringify(objects);
  expect(text).not.toMatch(/"gossip-safe\.gossip-safe|namespace":"gossip-safe"|namespace=\\"gossip-safe\\"/);
  const mutating = objects.find((o) => o.kind === 'MutatingWebhookConfiguration') as unknown as { webhooks: { namespaceSelector: { matchExpressions: { key: string; values: string[] }[] } }[] };
  expect(mutating.webhooks[0]?.namespaceSelector.matchExpressions[1]?.values).toEqual(['kube-system', 'platform-webhooks']);
});

test('the profiles value becomes a ConfigMap the server loads, mounted and passed with --config', () => {
  const objects = renderChart({ profiles: { serf: { extraImages: ['mycorp/chat-*'] } } });
  const cm = objects.find((o) => o.kind === 'ConfigMap') as unknown as { data: Record<string, string> };
  const dir = mkdtempSync(join(tmpdir(), 'gossip-safe-profiles-'));
  try {
    writeFileSync(join(dir, 'profiles.yaml'), cm.data['profiles.yaml'] ?? '');
    expect(profileForImage(loadProfileSet(join(dir, 'profiles.yaml')), 'mycorp/chat-server:1.2')?.name).toBe('serf');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const deployment = objects.find((o) => o.kind === 'Deployment') as unknown as { spec: { template: { metadata: { annotations?: Record<string, string> }; spec: { containers: { args: string[]; volumeMounts: { name: string; mountPath: string }[] }[] } } } };
  const webhook = deployment.spec.template.spec.containers[0];
  expect(webhook?.args.slice(-2)).toEqual(['--config', '/etc/gossip-safe/profiles.yaml']);
  expect(webhook?.volumeMounts).toContainEqual({ name: 'profiles', mountPath: '/etc/gossip-safe', readOnly: true });
  expect(deployment.spec.template.metadata.annotations?.['gossip-safe.io/profiles-checksum']).toMatch(/^[0-9a-f]{64}$/);
});

test('workers and autoscaling: --workers N in the args, and an HPA on CPU that owns the replica count', () => {
  type Deployment = { spec: { replicas?: number; template: { spec: { containers: { args: string[] }[] } } } };
  const deploymentOf = (objects: readonly unknown[]): Deployment => objects.find((o) => (o as { kind: string }).kind === 'Deployment') as Deployment;
  const plain = renderChart();
  expect(deploymentOf(plain).spec.replicas).toBe(2);
  expect(deploymentOf(plain).spec.template.spec.containers[0]?.args).not.toContain('--workers');
  expect(plain.filter((o) => o.kind === 'HorizontalPodAutoscaler')).toEqual([]);

  const scaled = renderChart({ workers: 3, autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 8, targetCPUUtilizationPercentage: 65 } });
  const args = deploymentOf(scaled).spec.template.spec.containers[0]?.args ?? [];
  expect(args.slice(args.indexOf('--workers'), args.indexOf('--workers') + 2)).toEqual(['--workers', '3']);
  expect(parseServeConfig(args.slice(1), {}).workers).toBe(3);
  expect(deploymentOf(scaled).spec.replicas).toBeUndefined();
  const hpa = scaled.find((o) => o.kind === 'HorizontalPodAutoscaler') as unknown as { spec: Record<string, unknown> };
  expect(hpa.spec).toEqual({
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'gossip-safe' },
    minReplicas: 3,
    maxReplicas: 8,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 65 } } }],
  });
  const r = runHelm(['template', 'gossip-safe', CHART, '--kube-version', KUBE_VERSION, '--set', 'autoscaling.enabled=true', '--set', 'autoscaling.minReplicas=9']);
  expect(r.code).not.toBe(0);
  expect(r.stderr).toContain('autoscaling.minReplicas must not be above autoscaling.maxReplicas');
});

test('values.schema.json refuses bad values at install with a message naming the field', () => {
  const bad = (set: string): string => {
    const r = runHelm(['template', 'gossip-safe', CHART, '--kube-version', KUBE_VERSION, '--set', set]);
    expect(r.code).not.toBe(0);
    return r.stderr;
  };
  expect(bad('webhooks.enforce.failurePolicy=Sometimes')).toContain("at '/webhooks/enforce/failurePolicy': value must be one of 'Ignore', 'Fail'");
  expect(bad('webhooks.mutate.timeoutSeconds=60')).toMatch(/\/webhooks\/mutate\/timeoutSeconds': maximum: got 60, want 30/);
  expect(bad('replicas=3')).toMatch(/additional properties 'replicas' not allowed/);
  expect(bad('excludedNamespaces[0]=Kube_System')).toContain('/excludedNamespaces/0');
  const old = runHelm(['template', 'gossip-safe', CHART, '--kube-version', '1.29.0', '--set', 'matchConditions.enabled=true']);
  expect(old.stderr).toContain('matchConditions.enabled needs Kubernetes 1.30 or later');
});

test("the chart's version is the package's", () => {
  const chart = parseYaml(readFileSync(join(CHART, 'Chart.yaml'), 'utf8')) as { version: string; appVersion: string };
  const pkg = JSON.parse(readFileSync(join(PROJECT_DIR, 'package.json'), 'utf8')) as { version: string };
  expect([chart.version, chart.appVersion]).toEqual([pkg.version, pkg.version]);
});
