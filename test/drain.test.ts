import type { AdmissionReviewResponse } from '../src/admission/types.js';
import { loadReviewText } from './helpers/fixtures.js';
import { startTestWebhook } from './helpers/webhook-server.js';

/**
 * Issue 23, finding 3, in-process: during the drain delay the server is not ready but still
 * answers reviews, each answer closing its connection ("Connection: close"); only then does it
 * stop listening. On main, drain() stopped listening at once.
 */
test('draining: readiness 503, reviews still answered with "Connection: close", then the listener closes', async () => {
  const webhook = await startTestWebhook({ drainDelayMs: 1_500 });
  try {
    expect((await webhook.client.send('GET', '/readyz')).status).toBe(200);
    const drained = webhook.running.drain();
    const ready = await webhook.client.send('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.headers['connection']).toBe('close');
    const review = await webhook.client.postJson('/mutate', loadReviewText('pod-create-from-statefulset-cassandra.json'));
    expect(review.status).toBe(200);
    expect(review.json<AdmissionReviewResponse>().response.allowed).toBe(true);
    expect(review.headers['connection']).toBe('close');
    expect(webhook.running.server.listening).toBe(true);
    await drained;
    expect(webhook.running.server.listening).toBe(false);
  } finally {
    await webhook.stop();
  }
});
