import { allow } from '../src/admission/outcome.js';
import type { AdmissionReviewResponse } from '../src/admission/types.js';
import { loadReview, loadReviewText } from './helpers/fixtures.js';
import { startTestWebhook, type TestWebhook } from './helpers/webhook-server.js';

let webhook: TestWebhook;
beforeAll(async () => {
  webhook = await startTestWebhook({
    bodyLimitBytes: 64 * 1024,
    endpoints: [
      { path: '/mutate', name: 'mutate', handle: () => allow() },
      {
        path: '/explode',
        name: 'explode',
        handle: () => {
          throw new Error('boom: unexpected state');
        },
      },
    ],
  });
});
afterAll(async () => {
  await webhook.stop();
});

const json = { 'content-type': 'application/json' };
const review = loadReviewText('pod-create-etcd.json');
const withoutRequest = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' });
const withoutUid = (() => {
  const r = loadReview('pod-create-etcd.json');
  const { uid: _uid, ...rest } = r.request;
  return JSON.stringify({ ...r, request: rest });
})();

test.each([
  ['non-JSON', review.slice(0, 200), json, 400, /not valid JSON/],
  ['a JSON array', '[1,2,3]', json, 400, /not a JSON object/],
  ['a JSON string', '"hello"', json, 400, /not a JSON object/],
  ['a Pod instead of an AdmissionReview', JSON.stringify(loadReview('pod-create-etcd.json').request.object), json, 400, /kind is "Pod", expected "AdmissionReview"/],
  ['an unknown review version', review.replace('admission.k8s.io/v1', 'admission.k8s.io/v2'), json, 400, /apiVersion "admission.k8s.io\/v2"/],
  ['no request', withoutRequest, json, 400, /has no request/],
  ['no uid', withoutUid, json, 400, /request.uid is missing/],
  ['a text/plain body', review, { 'content-type': 'text/plain' }, 415, /content type must be application\/json/],
  ['no content type', review, {}, 415, /content type must be application\/json/],
  ['a body over the limit', JSON.stringify({ pad: 'x'.repeat(70 * 1024) }), json, 413, /too large/],
  ['an empty body', '', json, 400, /.+/],
])('%s gets a 4xx with a one-line reason, and the server keeps serving', async (_name, body, headers, status, reason) => {
  const res = await webhook.client.send('POST', '/mutate?timeout=10s', body, headers);
  expect(res.status).toBe(status);
  expect(res.text.trimEnd()).toMatch(reason);
  expect(res.text.trimEnd().split('\n')).toHaveLength(1);

  const health = await webhook.client.send('GET', '/healthz');
  expect(health.status).toBe(200);
  const ok = await webhook.client.postJson('/mutate', review);
  expect(ok.status).toBe(200);
  expect(ok.json<AdmissionReviewResponse>().response.allowed).toBe(true);
});

test('an unknown path is a 404, and the query string never affects routing', async () => {
  expect((await webhook.client.send('POST', '/mutate/extra', review, json)).status).toBe(404);
  expect((await webhook.client.send('POST', '/mutate?timeout=10s&x=y', review, json)).status).toBe(200);
});

test("a handler's unexpected error is a 500 (failurePolicy decides) and is logged, not a crash", async () => {
  const res = await webhook.client.send('POST', '/explode', review, json);
  expect(res.status).toBe(500);
  expect(res.text).not.toMatch(/boom/);
  expect(webhook.logs.some((l) => l['msg'] === 'admission handler failed' && String(l['err']).includes('boom'))).toBe(true);
  expect((await webhook.client.postJson('/mutate', review)).status).toBe(200);
});

test('health and readiness endpoints answer', async () => {
  expect((await webhook.client.send('GET', '/healthz')).text).toBe('ok\n');
  expect((await webhook.client.send('GET', '/readyz')).status).toBe(200);
});
