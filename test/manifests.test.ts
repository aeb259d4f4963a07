import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCertsConfig } from '../src/cli/certs.js';
import { parseServeConfig } from '../src/cli/serve.js';
import { findObject, renderKustomization, type K8sObject } from './helpers/kustomize.js';
import { schemaErrors, hasSchema } from './helpers/k8s-schema.js';
import { PROJECT_DIR } from './helpers/fixtures.js';

type Json = Record<string, unknown>;
interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
interface Webhook {
  name: string;
  clientConfig: { service: { name: string; namespace: string; path: string; port: number }; caBundle?: string };
  rules: { apiGroups: string[]; apiVersions: string[]; operations: string[]; resources: string[]; scope: string }[];
  failurePolicy: string;
  timeoutSeconds: number;
  sideEffects: string;
  admissionReviewVersions: string[];
  reinvocationPolicy?: string;
  namespaceSelector: LabelSelector;
  objectSelector?: LabelSelector;
  matchConditions?: { name: string; expression: string }[];
}
interface Container {
  name: string;
  args: string[];
  ports?: { name: string; containerPort: number }[];
  securityContext: Json;
  resources: { requests?: Json; limits?: Json };
  volumeMounts?: { name: string; mountPath: string }[];
  readinessProbe?: { httpGet: { path: string; port: string; scheme: string } };
  livenessProbe?: { httpGet: { path: string; port: string; scheme: string } };
  env?: { name: string }[];
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
}
interface PodSpec {
  terminationGracePeriodSeconds?: number;
  serviceAccountName: string;
  automountServiceAccountToken?: boolean;
  securityContext: Json;
  initContainers?: Container[];
  containers: Container[];
  volumes: ({ name: string } & Json)[];
  topologySpreadConstraints?: Json[];
  affinity?: Json;
  hostNetwork?: boolean;
  hostPID?: boolean;
}
interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

const VARIANTS = ['manifests', 'manifests/base', 'manifests/overlays/match-conditions', 'manifests/cert-manager'] as const;
const rendered = new Map<string, K8sObject[]>();
const render = (dir: (typeof VARIANTS)[number]): K8sObject[] => {
  let objects = rendered.get(dir);
  if (objects === undefined) rendered.set(dir, (objects = renderKustomization(dir)));
  return objects;
};
const base = (): K8sObject[] => render('manifests');
const webhooksOf = (objects: K8sObject[], kind: string): Webhook[] => findObject(objects, kind, 'gossip-safe')['webhooks'] as Webhook[];
const podSpec = (objects: K8sObject[]): PodSpec => ((findObject(objects, 'Deployment', 'gossip-safe')['spec'] as Json)['template'] as { spec: PodSpec }).spec;
const allContainers = (spec: PodSpec): Container[] => [...(spec.initContainers ?? []), ...spec.containers];
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']);

function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e) => {
    const value = labels[e.key];
    switch (e.operator) {
      case 'In':
        return value !== undefined && (e.values ?? []).includes(value);
      case 'NotIn':
        return value === undefined || !(e.values ?? []).includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      default:
        throw new Error(`unknown operator ${e.operator}`);
    }
  });
  return byLabels && byExpressions;
}
const namespaceLabels = (name: string, labels: Record<string, string> = {}): Record<string, string> => ({ 'kubernetes.io/metadata.name': name, ...labels });

describe.each(VARIANTS)('%s renders with kubectl kustomize into valid objects', (dir) => {
  test('every object passes the Kubernetes schema and strict field checks', () => {
    const objects = render(dir);
    expect(objects.length).toBeGreaterThan(5);
    const errors = objects.filter(hasSchema).flatMap(schemaErrors);
    expect(errors).toEqual([]);
    const unchecked = objects.filter((o) => !hasSchema(o)).map((o) => `${o.apiVersion}/${o.kind}`);
    expect(unchecked.every((k) => k.startsWith('cert-manager.io/v1/'))).toBe(true);
  });

  test('structure: names, namespaces, no duplicates, and every reference resolves', () => {
    const objects = render(dir);
    const ids = objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(new Set(ids).size).toBe(ids.length);
    for (const o of objects) {
      expect(o.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
      if (CLUSTER_SCOPED.has(o.kind)) expect(o.metadata.namespace).toBeUndefined();
      else expect(o.metadata.namespace).toBe('gossip-safe');
    }
    const deployment = findObject(objects, 'Deployment', 'gossip-safe');
    const spec = podSpec(objects);
    const podLabels = ((deployment['spec'] as Json)['template'] as { metadata: { labels: Record<string, string> } }).metadata.labels;
    expect(selects((deployment['spec'] as { selector: LabelSelector }).selector, podLabels)).toBe(true);
    expect(selects({ matchLabels: (findObject(objects, 'Service', 'gossip-safe')['spec'] as { selector: Record<string, string> }).selector }, podLabels)).toBe(true);
    expect(selects((findObject(objects, 'PodDisruptionBudget', 'gossip-safe')['spec'] as { selector: LabelSelector }).selector, podLabels)).toBe(true);
    findObject(objects, 'ServiceAccount', spec.serviceAccountName);

    const volumes = new Set(spec.volumes.map((v) => v.name));
    for (const c of allContainers(spec)) for (const m of c.volumeMounts ?? []) expect(volumes).toContain(m.name);
    const webhook = spec.containers.find((c) => c.name === 'webhook');
    const portNames = new Set((webhook?.ports ?? []).map((p) => p.name));
    const service = findObject(objects, 'Service', 'gossip-safe')['spec'] as { ports: { port: number; targetPort: string }[] };
    expect(service.ports).toEqual([expect.objectContaining({ port: 443, targetPort: 'https' })]);
    expect(portNames).toContain('https');
    expect(webhook?.ports).toEqual([expect.objectContaining({ name: 'https', containerPort: 8443 })]);

    // Every webhook points at that Service, on its port, at a path the server serves.
    for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']) {
      for (const hook of webhooksOf(objects, kind)) {
        expect(hook.clientConfig.service).toMatchObject({ name: 'gossip-safe', namespace: 'gossip-safe', port: 443 });
        expect(['/mutate', '/validate/enforce', '/validate/warn']).toContain(hook.clientConfig.service.path);
        expect(hook.clientConfig.caBundle).toBeUndefined(); // written at run time, never by kubectl apply
      }
    }
    for (const binding of objects.filter((o) => o.kind.endsWith('Binding'))) {
      const roleRef = binding['roleRef'] as { kind: string; name: string };
      findObject(objects, roleRef.kind, roleRef.name);
      for (const s of binding['subjects'] as { kind: string; name: string; namespace: string }[]) {
        expect(s).toEqual({ kind: 'ServiceAccount', name: spec.serviceAccountName, namespace: 'gossip-safe' });
      }
    }
  });

  test('the container arguments are accepted by the real command-line parsers', () => {
    const spec = podSpec(render(dir));
    for (const c of allContainers(spec)) {
      const [command, ...rest] = c.args;
      const env = { POD_NAMESPACE: 'gossip-safe' };
      if (command === 'serve') expect(() => parseServeConfig(rest, env)).not.toThrow();
      else if (command === 'certs') expect(parseCertsConfig(rest, env).target.out?.certFile).toBe('/tls/tls.crt');
      else throw new Error(`unexpected command ${command} in ${c.name}`);
      expect(c.env ?? []).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'POD_NAMESPACE' })]));
    }
  });

  test('restricted Pod Security: non-root, read-only root, no capabilities, RuntimeDefault seccomp, no host access', () => {
    const spec = podSpec(render(dir));
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(spec.securityContext['runAsUser']).toBeGreaterThan(0);
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.hostNetwork ?? false).toBe(false);
    expect(spec.hostPID ?? false).toBe(false);
    for (const v of spec.volumes) expect(Object.keys(v).filter((k) => k !== 'name')).toEqual([expect.stringMatching(/^(emptyDir|secret|projected)$/)]);
    for (const c of allContainers(spec)) {
      expect(c.securityContext).toEqual({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect(c.resources.requests).toEqual(expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }));
      expect(c.resources.limits).toEqual(expect.objectContaining({ memory: expect.any(String) }));
    }
  });
});

describe('the base (kubectl apply -k manifests/)', () => {
  test('manifests/ is the base and nothing else', () => {
    expect(render('manifests')).toEqual(render('manifests/base'));
  });

  test('mutating webhook: pods CREATE and workload UPDATE, opted-in namespaces only, never kube-system or gossip-safe', () => {
    const hooks = webhooksOf(base(), 'MutatingWebhookConfiguration');
    expect(hooks).toHaveLength(1);
    const [hook] = hooks as [Webhook];
    expect(hook.clientConfig.service.path).toBe('/mutate');
    expect(hook.rules).toEqual([
      { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'], scope: 'Namespaced' },
      { apiGroups: ['apps'], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['statefulsets', 'deployments', 'daemonsets'], scope: 'Namespaced' },
    ]);
    expect(hook).toMatchObject({ sideEffects: 'None', reinvocationPolicy: 'IfNeeded', failurePolicy: 'Ignore', admissionReviewVersions: ['v1', 'v1beta1'] });
    expect(hook.timeoutSeconds).toBeLessThanOrEqual(5);

    const optedIn = { 'gossip-safe.io/inject': 'enabled' };
    expect(selects(hook.namespaceSelector, namespaceLabels('shop', optedIn))).toBe(true);
    expect(selects(hook.namespaceSelector, namespaceLabels('shop'))).toBe(false);
    expect(selects(hook.namespaceSelector, namespaceLabels('shop', { 'gossip-safe.io/inject': 'disabled' }))).toBe(false);
    expect(selects(hook.namespaceSelector, namespaceLabels('kube-system', optedIn))).toBe(false);
    expect(selects(hook.namespaceSelector, namespaceLabels('gossip-safe', optedIn))).toBe(false);

    expect(selects(hook.objectSelector ?? {}, {})).toBe(true);
    expect(selects(hook.objectSelector ?? {}, { app: 'db' })).toBe(true);
    expect(selects(hook.objectSelector ?? {}, { 'gossip-safe.io/inject': 'disabled' })).toBe(false);
  });

  test('validating webhook: enforce fails closed, warn never does; both exclude kube-system and gossip-safe', () => {
    const hooks = webhooksOf(base(), 'ValidatingWebhookConfiguration');
    expect(hooks.map((h) => [h.name, h.clientConfig.service.path, h.failurePolicy])).toEqual([
      ['enforce.gossip-safe.io', '/validate/enforce', 'Fail'],
      ['warn.gossip-safe.io', '/validate/warn', 'Ignore'],
    ]);
    for (const hook of hooks) {
      const mode = hook.name.split('.')[0] ?? '';
      expect(hook.rules).toEqual([
        { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'], scope: 'Namespaced' },
        { apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['statefulsets', 'deployments', 'daemonsets'], scope: 'Namespaced' },
      ]);
      expect(hook).toMatchObject({ sideEffects: 'None', admissionReviewVersions: ['v1', 'v1beta1'] });
      expect(hook.timeoutSeconds).toBeLessThanOrEqual(5);
      expect(hook.rules.flatMap((r) => r.operations)).not.toContain('DELETE');
      const policy = { 'gossip-safe.io/policy': mode };
      expect(selects(hook.namespaceSelector, namespaceLabels('shop', policy))).toBe(true);
      expect(selects(hook.namespaceSelector, namespaceLabels('shop', { 'gossip-safe.io/policy': mode === 'warn' ? 'enforce' : 'warn' }))).toBe(false);
      expect(selects(hook.namespaceSelector, namespaceLabels('shop'))).toBe(false);
      expect(selects(hook.namespaceSelector, namespaceLabels('kube-system', policy))).toBe(false);
      expect(selects(hook.namespaceSelector, namespaceLabels('gossip-safe', policy))).toBe(false);
    }
  });

  test('every failurePolicy and timeoutSeconds in the sources is explained by a comment just above it', () => {
    for (const file of ['mutating-webhook.yaml', 'validating-webhook.yaml']) {
      const lines = readFileSync(join(PROJECT_DIR, 'manifests', 'base', file), 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (/^\s*(failurePolicy|timeoutSeconds):/.test(line)) expect(`${file}:${i + 1} ${lines[i - 1]?.trim().startsWith('#') ? 'explained' : 'unexplained'}`).toBe(`${file}:${i + 1} explained`);
      });
    }
  });

  test('HA: 2 replicas spread over nodes, a PDB of minAvailable 1 (never maxUnavailable 0), probes on /healthz and /readyz', () => {
    const objects = base();
    const deployment = findObject(objects, 'Deployment', 'gossip-safe')['spec'] as Json;
    expect(deployment['replicas']).toBe(2);
    const spec = podSpec(objects);
    expect(spec.topologySpreadConstraints).toEqual([expect.objectContaining({ topologyKey: 'kubernetes.io/hostname', maxSkew: 1 })]);
    expect(spec.affinity).toHaveProperty('podAntiAffinity');
    const pdb = findObject(objects, 'PodDisruptionBudget', 'gossip-safe')['spec'] as Json;
    expect(pdb['minAvailable']).toBe(1);
    expect(pdb).not.toHaveProperty('maxUnavailable');
    const webhook = spec.containers.find((c) => c.name === 'webhook');
    expect(webhook?.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'https', scheme: 'HTTPS' });
    expect(webhook?.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'https', scheme: 'HTTPS' });
  });

  // Issue 23, finding 3: no preStop delay, so SIGTERM came while the apiserver still sent
  // reviews to the pod. The sleep lets the endpoint removal reach it; the server's own drain
  // delay and drain timeout follow, all inside the grace period.
  test('shutdown: a preStop sleep before SIGTERM, and a grace period that covers it, the drain delay and the drain timeout', async () => {
    const { DEFAULT_DRAIN_DELAY_MS, DEFAULT_DRAIN_TIMEOUT_MS } = await import('../src/http/server.js');
    const spec = podSpec(base());
    const webhook = spec.containers.find((c) => c.name === 'webhook');
    const command = webhook?.lifecycle?.preStop?.exec?.command ?? [];
    expect(command.slice(0, 1)).toEqual(['sleep']);
    const sleepSeconds = Number(command[1]);
    expect(sleepSeconds).toBeGreaterThanOrEqual(5);
    expect(spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(sleepSeconds + (DEFAULT_DRAIN_DELAY_MS + DEFAULT_DRAIN_TIMEOUT_MS) / 1000);
  });

  // Issue 23, finding 6: there was no NetworkPolicy.
  test('a NetworkPolicy lets only the HTTPS port reach the webhook pods', () => {
    const policy = findObject(base(), 'NetworkPolicy', 'gossip-safe')['spec'] as Json;
    expect(policy['podSelector']).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'gossip-safe' } });
    expect(policy['policyTypes']).toEqual(['Ingress']);
    expect(policy['ingress']).toEqual([{ ports: [{ protocol: 'TCP', port: 8443 }] }]);
    const container = podSpec(base()).containers.find((c) => c.name === 'webhook');
    expect(container?.ports?.map((p) => p.containerPort)).toEqual([8443]);
  });

  test('certificates: an init container bootstraps them, the server renews them, the token is projected only for that', () => {
    const spec = podSpec(base());
    expect(spec.initContainers?.map((c) => [c.name, c.args[0]])).toEqual([['certs', 'certs']]);
    expect(spec.containers[0]?.args).toContain('--renew-certs');
    const tokenVolume = spec.volumes.find((v) => v.name === 'kube-api-access') as { projected: { sources: Json[] } } | undefined;
    expect(tokenVolume?.projected.sources[0]).toEqual({ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } });
    expect(spec.volumes.find((v) => v.name === 'tls')).toEqual({ name: 'tls', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
    expect(findObject(base(), 'ServiceAccount', 'gossip-safe')['automountServiceAccountToken']).toBe(false);
  });

  test('RBAC: get/patch only our two webhook configurations and get/update only our Secret, by resourceNames', () => {
    const objects = base();
    const certs = parseCertsConfig([], {}).target;
    const clusterRules = findObject(objects, 'ClusterRole', 'gossip-safe-webhook-ca')['rules'] as Rule[];
    expect(clusterRules).toEqual([
      {
        apiGroups: ['admissionregistration.k8s.io'],
        resources: ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations'],
        resourceNames: [certs.mutatingWebhookConfiguration],
        verbs: ['get', 'patch'],
      },
    ]);
    findObject(objects, 'MutatingWebhookConfiguration', certs.mutatingWebhookConfiguration);
    findObject(objects, 'ValidatingWebhookConfiguration', certs.validatingWebhookConfiguration);

    const role = findObject(objects, 'Role', 'gossip-safe-certs');
    expect(role.metadata.namespace).toBe('gossip-safe');
    expect(role['rules']).toEqual([
      { apiGroups: [''], resources: ['secrets'], resourceNames: [certs.secretName], verbs: ['get', 'update'] },
      // create cannot be restricted by name in Kubernetes; it is confined to this namespace.
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
    ]);
    const roles = objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole');
    expect(roles).toHaveLength(2);
    for (const rule of roles.flatMap((r) => r['rules'] as Rule[])) {
      expect([...rule.verbs, ...rule.resources, ...rule.apiGroups]).not.toContain('*');
      expect(rule.verbs).not.toEqual(expect.arrayContaining(['list']));
      expect(rule.verbs).not.toEqual(expect.arrayContaining(['watch']));
    }
  });
});

describe('the cert-manager variant', () => {
  interface Certificate {
    secretName: string;
    isCA?: boolean;
    dnsNames?: string[];
    issuerRef: { name: string; kind: string };
  }
  const objects = (): K8sObject[] => render('manifests/cert-manager');
  const certificate = (name: string): Certificate => findObject(objects(), 'Certificate', name)['spec'] as Certificate;

  test('cert-manager issues the certificate and injects caBundle; the pods run no bootstrap and need no API access', () => {
    const spec = podSpec(objects());
    expect(spec.initContainers).toBeUndefined();
    expect(spec.containers[0]?.args).not.toContain('--renew-certs');
    expect(spec.volumes).toEqual([{ name: 'tls', secret: { secretName: certificate('gossip-safe-serving').secretName } }]);
    expect(spec.containers[0]?.volumeMounts).toEqual([{ name: 'tls', mountPath: '/tls', readOnly: true }]);
    expect(objects().filter((o) => o.apiVersion.startsWith('rbac.authorization.k8s.io/'))).toEqual([]);
  });

  test('both webhook configurations name an existing Certificate for CA injection', () => {
    for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']) {
      const from = findObject(objects(), kind, 'gossip-safe').metadata.annotations?.['cert-manager.io/inject-ca-from'];
      expect(from).toBe('gossip-safe/gossip-safe-serving');
      const [namespace, name] = (from ?? '').split('/');
      expect(findObject(objects(), 'Certificate', name ?? '').metadata.namespace).toBe(namespace);
    }
  });

  test('the serving certificate covers the Service names and chains to a CA issuer', () => {
    const serving = certificate('gossip-safe-serving');
    expect(serving.dnsNames).toEqual(parseCertsConfig([], {}).target.plan.dnsNames);
    const caIssuer = findObject(objects(), serving.issuerRef.kind, serving.issuerRef.name)['spec'] as { ca: { secretName: string } };
    const ca = objects().find((o) => o.kind === 'Certificate' && (o['spec'] as Certificate).secretName === caIssuer.ca.secretName);
    expect((ca?.['spec'] as Certificate | undefined)?.isCA).toBe(true);
    const root = (ca?.['spec'] as Certificate).issuerRef;
    expect(findObject(objects(), root.kind, root.name)['spec']).toEqual({ selfSigned: {} });
    for (const o of objects().filter((x) => x.apiVersion === 'cert-manager.io/v1')) {
      expect(['Issuer', 'Certificate']).toContain(o.kind);
      expect(o.metadata.namespace).toBe('gossip-safe');
    }
  });
});
