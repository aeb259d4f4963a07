import fc from 'fast-check';
import { decodeReview } from '../../src/admission/review.js';
import { injectObject } from '../../src/offline/injection.js';
import type { K8sObject } from '../../src/offline/manifests.js';
import { BUILTIN_PROFILES } from '../../src/profiles/builtin.js';
import { createProfileSet } from '../../src/profiles/profile-set.js';
import { createEndpoints } from '../../src/webhook/endpoints.js';
import { generatedReview, RECORDED, workload, type Json } from './arbitraries.js';

/**
 * The mutation copies only the objects it writes to and shares the rest with its input
 * (copy-on-write, src/mutate/template.ts and workload.ts). These properties hold it to that: every
 * endpoint, and the CLI's injection, run on a deeply frozen input (strict mode: a write to it
 * throws) and answer exactly what they answer on an unfrozen copy.
 */
const SEED = Number(process.env['FC_SEED'] ?? 20261130);
const profiles = createProfileSet(BUILTIN_PROFILES);
const endpoints = createEndpoints({ profiles });

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
const asData = (v: unknown): unknown => JSON.parse(JSON.stringify(v ?? null)) as unknown;

function sameOnFrozen(review: Json): void {
  const free = decodeReview(structuredClone(review)).request;
  const frozen = decodeReview(deepFreeze(structuredClone(review))).request;
  for (const endpoint of endpoints) {
    expect(asData(endpoint.handle(frozen))).toEqual(asData(endpoint.handle(free)));
  }
}

describe('mutation never writes to its input', () => {
  test('every endpoint answers a frozen recorded review as it answers a copy', () => {
    for (const review of RECORDED) sameOnFrozen(review as unknown as Json);
  });

  test('every endpoint answers a frozen generated review as it answers a copy', () => {
    let patched = 0;
    fc.assert(
      fc.property(generatedReview, (review) => {
        sameOnFrozen(review);
        const mutate = endpoints.find((e) => e.path === '/mutate')!;
        if ((mutate.handle(decodeReview(structuredClone(review)).request).patch?.length ?? 0) > 0) patched++;
      }),
      { numRuns: 600, seed: SEED },
    );
    // The property means something only if the mutation really ran on many of them.
    expect(patched).toBeGreaterThan(100);
  });

  test('the CLI injects into a frozen manifest (and its base) as into a copy', () => {
    fc.assert(
      fc.property(workload, workload, (old, now) => {
        const request = { object: { ...now, status: {} } as unknown as K8sObject, oldObject: { ...old, kind: now.kind } as unknown as K8sObject };
        const free = injectObject(structuredClone(request), profiles);
        const frozen = injectObject(deepFreeze(structuredClone(request)), profiles);
        expect(asData(frozen)).toEqual(asData(free));
      }),
      { numRuns: 300, seed: SEED },
    );
  });
});
