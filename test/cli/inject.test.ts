import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { ANNOTATION_MIGRATE_FROM, PREMIGRATE_CONTAINER } from '../../src/contract.js';
import type { Pod, PodTemplateSpec, Workload } from '../../src/k8s/types.js';
import { applyPatch } from '../../src/patch/diff.js';
import { runCli } from '../helpers/cli.js';
import { decodePatch } from '../helpers/review.js';
import { sendReview, startTestWebhook, type TestWebhook } from '../helpers/webhook-server.js';
import { admissionReview, cassandraStatefulSet, MULTI_DOC, SERF_DEPLOYMENT, SERVICE } from './manifests.js';

let webhook: TestWebhook;
let dir: string;
beforeAll(async () => {
  webhook = await startTestWebhook();
  dir = mkdtempSync(join(tmpdir(), 'gossip-safe-inject-'));
});
afterAll(async () => {
  await webhook.stop();
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/**
 * A pod as its controller would create it from a template (a StatefulSet adds the PVC volumes
 * of its claim templates), sent to the HTTPS webhook as a CREATE; returns the pod it patches.
 */
async function webhookPod(workload: Workload): Promise<{ pod: Pod; patched: boolean }> {
  const template = structuredClone<PodTemplateSpec>(workload.spec!.template!);
  const claims = (workload.spec!.volumeClaimTemplates ?? []).map((c) => ({
    name: c.metadata!.name!,
    persistentVolumeClaim: { claimName: `${c.metadata!.name!}-${workload.metadata!.name!}-0` },
  }));
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...template.metadata, name: `${workload.metadata!.name!}-0`, namespace: 'db' },
    spec: { ...template.spec!, ...(claims.length === 0 ? {} : { volumes: [...(template.spec!.volumes ?? []), ...claims] }) },
  };
  const review = admissionReview({ operation: 'CREATE', group: '', kind: 'Pod', resource: 'pods', namespace: 'db', object: pod });
  const patch = decodePatch(await sendReview(webhook, '/mutate', review));
  const mutated = applyPatch(pod, patch);
  if (claims.length > 0) {
    const names = new Set(claims.map((c) => c.name));
    mutated.spec!.volumes = mutated.spec!.volumes!.filter((v) => !names.has(v.name));
    if (mutated.spec!.volumes.length === 0) delete mutated.spec!.volumes;
  }
  return { pod: mutated, patched: patch.length > 0 };
}

/** The template's part of a pod: what `inject` must have written into the workload. */
function asTemplate(pod: Pod): PodTemplateSpec {
  const { name: _name, namespace: _namespace, ...metadata } = pod.metadata!;
  return { metadata, spec: pod.spec! };
}

test('a multi-document file: the Service stays byte-identical, datastore templates get what their pods would', async () => {
  const res = await runCli(['inject', '-f', file('stack.yaml', MULTI_DOC)]);
  expect(res.code).toBe(0);
  expect(res.stdout.startsWith(`${SERVICE}---\n`)).toBe(true);

  const docs = parseAllDocuments(res.stdout).map((d) => d.toJS() as Workload);
  expect(docs.map((d) => d.kind)).toEqual(['Service', 'Deployment', 'StatefulSet']);
  const originals = parseAllDocuments(MULTI_DOC).map((d) => d.toJS() as Workload);
  for (const i of [1, 2]) {
    const expected = await webhookPod(originals[i]!);
    expect(expected.patched).toBe(true);
    expect(docs[i]!.spec!.template).toEqual(asTemplate(expected.pod));
    // Everything outside the template is untouched.
    expect({ ...docs[i]!, spec: { ...docs[i]!.spec, template: null } }).toEqual({ ...originals[i]!, spec: { ...originals[i]!.spec, template: null } });
    // Pods of the injected template are left alone by the webhook: nothing is injected twice.
    expect((await webhookPod(docs[i]!)).patched).toBe(false);
  }
  // Comments in changed documents survive.
  expect(res.stdout).toContain('# Cassandra ring for the orders service');
  expect(res.stdout).toMatch(/image: cassandra:4\.1\.3 +# bumped by Renovate/);
  expect(res.stdout).toMatch(/- name: serf +# the gossip agent/);
  expect(res.stderr).toMatch(/injected: .*stack\.yaml:\d+: StatefulSet db\/cassandra: cassandra: /);
});

test('inject is idempotent: its own output comes back byte for byte', async () => {
  const first = await runCli(['inject', '-f', file('once.yaml', MULTI_DOC)]);
  const second = await runCli(['inject', '-f', '-'], { input: first.stdout });
  expect(second.code).toBe(0);
  expect(second.stdout).toBe(first.stdout);
});

test('JSON in, JSON out: a List keeps its order and its untouched items', async () => {
  const list = {
    apiVersion: 'v1',
    kind: 'List',
    items: [parseYaml(SERVICE) as unknown, parseYaml(SERF_DEPLOYMENT) as unknown],
  };
  const res = await runCli(['inject', '-f', file('list.json', `${JSON.stringify(list, null, 4)}\n`)]);
  expect(res.code).toBe(0);
  expect(res.stdout.startsWith('{\n    "apiVersion": "v1"')).toBe(true);
  const out = JSON.parse(res.stdout) as { kind: string; items: Workload[] };
  expect(out.kind).toBe('List');
  expect(out.items[0]).toEqual(list.items[0]);
  const expected = await webhookPod(list.items[1] as Workload);
  expect(out.items[1]!.spec!.template).toEqual(asTemplate(expected.pod));
});

test('--migrate-from adds the pre-migration step exactly as the webhook does for such pods, only to that datastore', async () => {
  const res = await runCli(['inject', '--migrate-from', 'cassandra:3.11.16', '-f', file('stack-migrate.yaml', MULTI_DOC)]);
  expect(res.code).toBe(0);
  const [, serf, sts] = parseAllDocuments(res.stdout).map((d) => d.toJS() as Workload);
  expect(sts!.spec!.template!.metadata!.annotations![ANNOTATION_MIGRATE_FROM]).toBe('cassandra:3.11.16');
  expect(sts!.spec!.template!.spec!.initContainers!.map((c) => [c.name, c.image])).toEqual([[PREMIGRATE_CONTAINER, 'cassandra:3.11.16']]);
  const original = parseYaml(cassandraStatefulSet('cassandra:4.1.3')) as Workload;
  original.spec!.template!.metadata!.annotations = { [ANNOTATION_MIGRATE_FROM]: 'cassandra:3.11.16' };
  expect(sts!.spec!.template).toEqual(asTemplate((await webhookPod(original)).pod));
  // The Serf template in the same file is another datastore: injected, but not told to migrate.
  expect(serf!.spec!.template!.metadata!.annotations![ANNOTATION_MIGRATE_FROM]).toBeUndefined();
  expect(serf!.spec!.template!.spec!.initContainers).toBeUndefined();
});

test('--base: a version change from the base gets the pre-migration annotation, as on UPDATE', async () => {
  const base = file('base.yaml', cassandraStatefulSet('cassandra:3.11.16'));
  const res = await runCli(['inject', '--base', base, '-f', file('head.yaml', cassandraStatefulSet('cassandra:4.1.3'))]);
  expect(res.code).toBe(0);
  const sts = parseYaml(res.stdout) as Workload;
  expect(sts.spec!.template!.metadata!.annotations![ANNOTATION_MIGRATE_FROM]).toBe('cassandra:3.11.16');
  const same = await runCli(['inject', '--base', base, '-f', base]);
  expect((parseYaml(same.stdout) as Workload).spec!.template!.metadata!.annotations![ANNOTATION_MIGRATE_FROM]).toBeUndefined();
});

test('a template labelled gossip-safe.io/inject=disabled is copied unchanged', async () => {
  const optedOut = SERF_DEPLOYMENT.replace('labels: {app: serf}\n    spec:', 'labels: {app: serf, gossip-safe.io/inject: disabled}\n    spec:');
  expect(optedOut).not.toBe(SERF_DEPLOYMENT);
  const res = await runCli(['inject', '-f', file('off.yaml', optedOut)]);
  expect(res.stdout).toBe(optedOut);
});

test('--in-place rewrites only the files that change', async () => {
  const sts = file('inplace-sts.yaml', cassandraStatefulSet('cassandra:4.1.3'));
  const svc = file('inplace-svc.yaml', SERVICE);
  const res = await runCli(['inject', '--in-place', '-f', sts, '-f', svc]);
  expect(res.code).toBe(0);
  expect(res.stdout).toBe('');
  expect(readFileSync(svc, 'utf8')).toBe(SERVICE);
  expect(readFileSync(sts, 'utf8')).toContain('gossip-safe.io/status');
});
