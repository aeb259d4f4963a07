import type { AdmissionReviewResponse } from '../src/admission/types.js';
import type { Container, EnvVar, Pod } from '../src/k8s/types.js';
import { applyPatch } from '../src/patch/diff.js';
import { loadReview, reviewFileNames, type RecordedReview } from './helpers/fixtures.js';
import { expectGolden } from './helpers/golden.js';
import { decodePatch } from './helpers/review.js';
import { startTestWebhook, type TestWebhook } from './helpers/webhook-server.js';

let webhook: TestWebhook;
beforeAll(async () => {
  webhook = await startTestWebhook();
});
afterAll(async () => {
  await webhook.stop();
});

async function mutate(review: RecordedReview): Promise<AdmissionReviewResponse> {
  const res = await webhook.client.postJson('/mutate?timeout=10s', review);
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  return res.json<AdmissionReviewResponse>();
}

function mutatedObject(review: RecordedReview, response: AdmissionReviewResponse): Pod {
  return applyPatch(review.request.object as Pod, decodePatch(response));
}

function envOf(container: Container | undefined): EnvVar[] {
  return container?.env ?? [];
}

describe.each(reviewFileNames())('recorded review %s through /mutate', (file) => {
  test('answers in the version asked, echoes the uid, and matches the golden patch', async () => {
    const review = loadReview(file);
    const body = await mutate(review);
    expect(body.apiVersion).toBe(review.apiVersion);
    expect(body.kind).toBe('AdmissionReview');
    expect(body.response.uid).toBe(review.request.uid);
    expect(body.response.allowed).toBe(true);
    if (body.response.patch !== undefined) expect(body.response.patchType).toBe('JSONPatch');
    expectGolden(`mutate/${file}`, { patch: decodePatch(body), warnings: body.response.warnings ?? [] });
  });

  test('mutating the result again yields no patch', async () => {
    const review = loadReview(file);
    const first = await mutate(review);
    const again = loadReview(file);
    if (again.request.object !== undefined) again.request.object = mutatedObject(review, first);
    const second = await mutate(again);
    expect(decodePatch(second)).toEqual([]);
    expect(second.response.patch).toBeUndefined();
  });
});

describe('serf pod created by a ReplicaSet (no name, generateName set)', () => {
  test('gets POD_UID, then GOSSIP_NODE_NAME=$(POD_UID), and the serf leave preStop, and nothing else', async () => {
    const review = loadReview('pod-create-generatename-serf.json');
    const body = await mutate(review);
    const patch = decodePatch(body);
    const allowedPaths = [/^\/spec\/containers\/0\/env(\/|$)/, /^\/spec\/containers\/0\/lifecycle(\/|$)/, /^\/metadata\/annotations(\/gossip-safe\.io~1status)?$/, /^\/spec\/terminationGracePeriodSeconds$/];
    for (const op of patch) expect(allowedPaths.some((re) => re.test(op.path))).toBe(true);

    const pod = mutatedObject(review, body);
    const env = envOf(pod.spec?.containers[0]);
    const uid = env.findIndex((e) => e.name === 'POD_UID');
    const nodeName = env.findIndex((e) => e.name === 'GOSSIP_NODE_NAME');
    expect(env[uid]?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.uid');
    expect(env[nodeName]?.value).toBe('$(POD_UID)');
    expect(uid).toBeGreaterThanOrEqual(0);
    expect(nodeName).toBeGreaterThan(uid);
    expect(pod.spec?.containers[0]?.lifecycle?.preStop?.exec?.command).toEqual(['serf', 'leave']);

    const status = JSON.parse(pod.metadata?.annotations?.['gossip-safe.io/status'] ?? '{}') as Record<string, unknown>;
    expect(status).toMatchObject({ profile: 'serf', container: 'serf' });
    expect(status['injected']).toEqual(expect.arrayContaining(['env:POD_UID', 'env:GOSSIP_NODE_NAME', 'preStop']));
  });
});

describe('cassandra pod created by the StatefulSet controller', () => {
  test('no node-name variable, nodetool drain preStop, grace raised 30 -> 120 with a warning', async () => {
    const review = loadReview('pod-create-from-statefulset-cassandra.json');
    expect((review.request.object as Pod).spec?.terminationGracePeriodSeconds).toBe(30);
    const body = await mutate(review);
    const pod = mutatedObject(review, body);
    const container = pod.spec?.containers[0];
    expect(envOf(container).map((e) => e.name)).not.toContain('GOSSIP_NODE_NAME');
    expect(envOf(container).map((e) => e.name)).toEqual(expect.arrayContaining(['POD_UID', 'POD_NAME', 'POD_NAMESPACE', 'POD_IP']));
    expect(container?.lifecycle?.preStop?.exec?.command).toEqual(['nodetool', 'drain']);
    expect(pod.spec?.terminationGracePeriodSeconds).toBe(120);
    expect(body.response.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/terminationGracePeriodSeconds raised from 30 to 120/)]));
  });
});

test('a v1beta1 review is answered as v1beta1', async () => {
  const review = loadReview('pod-create-v1beta1-elasticsearch.json');
  expect(review.apiVersion).toBe('admission.k8s.io/v1beta1');
  const body = await mutate(review);
  expect(body.apiVersion).toBe('admission.k8s.io/v1beta1');
  expect(body.response.uid).toBe(review.request.uid);
  expect(body.response.patchType).toBe('JSONPatch');
});

test('a pod UPDATE (label added) is allowed with no patch', async () => {
  const body = await mutate(loadReview('pod-update-label-etcd.json'));
  expect(body.response.allowed).toBe(true);
  expect(body.response.patch).toBeUndefined();
  expect(body.response.patchType).toBeUndefined();
});

test("the consul DaemonSet's pod template keeps its own preStop, and a warning says so", async () => {
  const ds = loadReview('daemonset-create-consul.json');
  const template = (ds.request.object as { spec: { template: Pod } }).spec.template;
  const review = loadReview('pod-create-etcd.json');
  review.request = {
    ...review.request,
    namespace: ds.request.namespace ?? 'default',
    object: { apiVersion: 'v1', kind: 'Pod', metadata: { ...template.metadata, generateName: 'consul-' }, spec: template.spec },
  };
  const body = await mutate(review);
  const pod = mutatedObject(review, body);
  expect(pod.spec?.containers[0]?.lifecycle?.preStop).toEqual(template.spec?.containers[0]?.lifecycle?.preStop);
  expect(body.response.warnings).toEqual(
    expect.arrayContaining([expect.stringMatching(/container "consul" keeps its own preStop hook; "consul leave" was not added/)]),
  );
});

test('every admission is logged once with uid, kind, decision and what was injected', async () => {
  const review = loadReview('pod-create-generatename-serf.json');
  review.request = { ...review.request, uid: 'log-check-uid' };
  await mutate(review);
  const lines = webhook.logs.filter((l) => l['uid'] === 'log-check-uid');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({
    kind: 'Pod',
    namespace: review.request.namespace,
    generateName: 'memberlist-app-7d5f5f85bb-',
    decision: 'patched',
    injected: expect.arrayContaining(['preStop']),
  });
  expect(typeof lines[0]?.['durationMs']).toBe('number');
  expect(JSON.stringify(lines[0])).not.toMatch(/userInfo|token|password/i);
});

test('/metrics counts admissions by webhook, operation and outcome, and injections by profile', async () => {
  await mutate(loadReview('pod-create-etcd.json'));
  const res = await webhook.client.send('GET', '/metrics');
  expect(res.status).toBe(200);
  expect(res.text).toMatch(/gossip_safe_admissions_total\{webhook="mutate",operation="CREATE",outcome="patched"\} [1-9]/);
  expect(res.text).toMatch(/gossip_safe_injections_total\{profile="etcd"\} [1-9]/);
  expect(res.text).toMatch(/gossip_safe_admission_duration_seconds_bucket\{le="0.005",webhook="mutate"\}/);
});
