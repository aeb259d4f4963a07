import { applyPatch } from '../src/mutate/patch.js';
import type { AdmissionReviewResponse } from '../src/admission/types.js';
import { loadReview } from './helpers/fixtures.js';
import { decodePatch } from './helpers/review.js';
import { startTestWebhook, type TestWebhook } from './helpers/webhook-server.js';

let webhook: TestWebhook;
beforeAll(async () => {
  webhook = await startTestWebhook();
});
afterAll(async () => {
  await webhook.stop();
});

test('serf pod gets identity env and leave hook over real TLS', async () => {
  const review = loadReview('pod-create-generatename-serf.json');
  const res = await webhook.client.postJson('/mutate?timeout=10s', review);
  expect(res.status).toBe(200);
  const body = res.json<AdmissionReviewResponse>();
  expect(body.response.uid).toBe(review.request.uid);
  const pod = applyPatch(review.request.object, decodePatch(body)) as { spec: { containers: { env: { name: string }[] }[] } };
  expect(pod.spec.containers[0]!.env.map((e) => e.name)).toContain('GOSSIP_NODE_NAME');
});
