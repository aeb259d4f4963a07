import type { AdmissionReviewResponse } from '../src/admission/types.js';
import { loadReview } from './helpers/fixtures.js';
import { startTestWebhook, type TestWebhook } from './helpers/webhook-server.js';

/**
 * Issue 23, finding 6 (the in-process half of the hostile-input suite; the child-process half,
 * under the heap limit the manifests ship, is hostile-server.test.ts): input that is valid JSON
 * but built to hurt gets a 4xx or a normal answer, never a 500, and the log stays bounded.
 */
let webhook: TestWebhook;
beforeAll(async () => {
  webhook = await startTestWebhook();
});
afterAll(async () => {
  await webhook.stop();
});

const json = { 'content-type': 'application/json' };
const FIXTURE = 'pod-create-from-statefulset-cassandra.json';

/** A value nested `depth` levels deep: {"a":{"a":...{}}}. */
function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}{}${'}'.repeat(depth)}`;
}

async function normalReviewStillAnswered(): Promise<void> {
  const ok = await webhook.client.postJson('/mutate', JSON.stringify(loadReview(FIXTURE)));
  expect(ok.status).toBe(200);
  expect(ok.json<AdmissionReviewResponse>().response.allowed).toBe(true);
}

test.each(['/mutate', '/validate/enforce', '/validate/warn'])('deep nesting in a container field gets a 400 naming the limit on %s, not a 500', async (path) => {
  const review = JSON.stringify(loadReview(FIXTURE)).replace('"containers":[{', `"containers":[{"deep":${nested(500_000)},`);
  const res = await webhook.client.send('POST', path, review, json);
  expect(res.status).toBe(400);
  expect(res.text.trimEnd()).toMatch(/nested deeper than \d+ levels/);
  expect(res.text.trimEnd().split('\n')).toHaveLength(1);
  await normalReviewStillAnswered();
});

test('a 3 MB pod name is logged truncated, not as a 6 MB line', async () => {
  const review = loadReview(FIXTURE);
  const huge = 'n'.repeat(3 * 1024 * 1024);
  const object = review.request.object as { metadata: { name?: string; generateName?: string } };
  object.metadata.name = huge;
  const before = webhook.logs.length;
  const res = await webhook.client.postJson('/mutate', JSON.stringify({ ...review, request: { ...review.request, name: huge } }));
  expect(res.status).toBe(200);
  const lines = webhook.logs.slice(before).map((l) => JSON.stringify(l));
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) expect(line.length).toBeLessThan(8 * 1024);
  await normalReviewStillAnswered();
});
