import fc from 'fast-check';
import { Writable } from 'node:stream';
import type { AdmissionReviewResponse } from '../../src/admission/types.js';
import { createReviewPipeline } from '../../src/http/review-pipeline.js';
import { applyPatch, type PatchOperation } from '../../src/patch/diff.js';
import { createLogger } from '../../src/observability/logger.js';
import { WebhookMetrics } from '../../src/observability/metrics.js';
import { BUILTIN_PROFILES } from '../../src/profiles/builtin.js';
import { createProfileSet } from '../../src/profiles/profile-set.js';
import { createEndpoints } from '../../src/webhook/endpoints.js';
import { confusedReview, generatedReview, type Json } from './arbitraries.js';

/**
 * Properties of the webhook over generated and type-confused reviews, for every endpoint:
 * no exception escapes and no answer is a 5xx; every patch applies to the object it was made
 * for; admitting the patched object again gives no patch. The bulk runs in-process through the
 * review pipeline (the code the HTTPS server runs, minus the socket); admission-https.test.ts
 * sends a sample over HTTPS.
 */
const ENDPOINTS = ['/mutate', '/validate/enforce', '/validate/warn'] as const;
const SEED = Number(process.env['FC_SEED'] ?? 20261130);

const pipeline = createReviewPipeline({
  endpoints: createEndpoints({ profiles: createProfileSet(BUILTIN_PROFILES) }),
  logger: createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) }),
  metrics: new WebhookMetrics({ processMetrics: false }),
  bodyLimitBytes: 7 * 1024 * 1024,
});

interface Tally {
  reviews: number;
  admissions: number;
  rejected: number;
  patches: number;
}

function admit(path: string, review: Json): { status: number; response?: AdmissionReviewResponse['response'] } {
  const answer = pipeline.answer('POST', `${path}?timeout=10s`, { 'content-type': 'application/json' }, Buffer.from(JSON.stringify(review)));
  if (answer === undefined) throw new Error(`${path} is not routed`);
  if (answer.status !== 200) return { status: answer.status };
  return { status: 200, response: (JSON.parse(answer.body) as AdmissionReviewResponse).response };
}

function patchOf(response: AdmissionReviewResponse['response'] | undefined): PatchOperation[] {
  if (response?.patch === undefined) return [];
  return JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) as PatchOperation[];
}

/** The property, for one review on every endpoint. Throws (fails the run) on any violation. */
function checkReview(review: Json, tally: Tally): void {
  tally.reviews++;
  for (const path of ENDPOINTS) {
    const first = admit(path, review);
    tally.admissions++;
    if (first.status >= 500) throw new Error(`${path}: HTTP ${first.status}`);
    if (first.status !== 200) {
      tally.rejected++;
      continue;
    }
    const patch = patchOf(first.response);
    if (patch.length === 0) continue;
    if (path !== '/mutate') throw new Error(`${path} returned a patch`);
    tally.patches++;
    const request = (review as { request: { object: Json } }).request;
    // fast-json-patch validates every operation against the document: a bad patch throws here.
    const patched = applyPatch(request.object, patch);
    const again = admit(path, { ...(review as object), request: { ...request, object: patched } });
    if (again.status !== 200) throw new Error(`second admission: HTTP ${again.status}`);
    const second = patchOf(again.response);
    if (second.length > 0) throw new Error(`second admission patched again: ${JSON.stringify(second)}`);
  }
}

describe('webhook properties (in-process, every endpoint)', () => {
  test('type-confused reviews: no exception, no 5xx, patches apply, second admission gives no patch', () => {
    const tally: Tally = { reviews: 0, admissions: 0, rejected: 0, patches: 0 };
    fc.assert(fc.property(confusedReview, (review) => checkReview(review, tally)), { numRuns: 1100, seed: SEED });
    // 1,100 type-confused reviews on each of the three endpoints: 3,300 admissions.
    expect(tally.admissions).toBeGreaterThanOrEqual(3000);
    expect(tally.patches).toBeGreaterThan(20);
  });

  test('generated reviews: the same properties, and most are reviewed (not rejected as malformed)', () => {
    const tally: Tally = { reviews: 0, admissions: 0, rejected: 0, patches: 0 };
    fc.assert(fc.property(generatedReview, (review) => checkReview(review, tally)), { numRuns: 400, seed: SEED });
    expect(tally.rejected).toBe(0);
    expect(tally.patches).toBeGreaterThan(50);
  });
});
