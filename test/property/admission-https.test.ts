import fc from 'fast-check';
import type { AdmissionReviewResponse } from '../../src/admission/types.js';
import { startTestWebhook, type TestWebhook } from '../helpers/webhook-server.js';
import { confusedReview } from './arbitraries.js';

/** A sample of the type-confused reviews of admission.test.ts, through the real HTTPS server. */
const ENDPOINTS = ['/mutate', '/validate/enforce', '/validate/warn'] as const;
const SEED = Number(process.env['FC_SEED'] ?? 20261130);

describe('webhook properties over HTTPS (a sample)', () => {
  let webhook: TestWebhook;
  beforeAll(async () => {
    webhook = await startTestWebhook();
  });
  afterAll(async () => {
    await webhook.stop();
  });

  test('type-confused reviews never get a 5xx from the server', async () => {
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(confusedReview, fc.constantFrom(...ENDPOINTS), async (review, path) => {
        const res = await webhook.client.send('POST', `${path}?timeout=10s`, JSON.stringify(review), { 'content-type': 'application/json' });
        sent++;
        expect(res.status).toBeLessThan(500);
        if (res.status === 200) expect(res.json<AdmissionReviewResponse>().kind).toBe('AdmissionReview');
      }),
      { numRuns: 150, seed: SEED },
    );
    expect(sent).toBe(150);
    expect(webhook.logs.filter((l) => l['msg'] === 'admission handler failed')).toEqual([]);
  });
});
