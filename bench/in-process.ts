import type { AdmissionRequest } from '../src/admission/types.js';
import { BUILTIN_PROFILES } from '../src/profiles/builtin.js';
import { createProfileSet } from '../src/profiles/profile-set.js';
import { createEndpoints } from '../src/webhook/endpoints.js';
import { recordedReviews } from './fixtures.js';
import { STRESS_SHAPE, stressPod, stressRequest } from './stress-pod.js';

/**
 * In-process cost of every webhook's handler (`createEndpoints`, so a new endpoint is measured
 * as soon as it is in the table) on every recorded review, and of the mutate endpoint on the
 * stress pod. Run as its own process so that no load shares its event loop; prints JSON.
 */
export interface HandlerCost {
  readonly endpoint: string;
  readonly fixture: string;
  readonly iterations: number;
  readonly usPerReview: number;
}

export interface StressCost {
  readonly shape: typeof STRESS_SHAPE;
  readonly bodyBytes: number;
  readonly iterations: number;
  readonly medianMs: number;
  readonly maxMs: number;
  readonly patchOps: number;
}

export interface InProcessResults {
  readonly handlers: HandlerCost[];
  readonly stress: StressCost;
}

const MIN_NS = 200_000_000n;
const MAX_ITERATIONS = 50_000;
const BATCH = 50;

/**
 * Mean time per call within batches of 50, median over the batches: a batch during which this
 * process was descheduled (the machine is shared) does not move the figure.
 */
function timeHandler(handle: (r: AdmissionRequest) => unknown, request: AdmissionRequest): { iterations: number; usPerReview: number } {
  for (let i = 0; i < 500; i++) handle(request);
  const batches: number[] = [];
  const started = process.hrtime.bigint();
  while (process.hrtime.bigint() - started < MIN_NS && batches.length * BATCH < MAX_ITERATIONS) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) handle(request);
    batches.push(Number(process.hrtime.bigint() - t0) / 1e3 / BATCH);
  }
  batches.sort((a, b) => a - b);
  return { iterations: batches.length * BATCH, usPerReview: batches[Math.floor(batches.length / 2)]! };
}

function main(): void {
  const endpoints = createEndpoints({ profiles: createProfileSet(BUILTIN_PROFILES) });
  const handlers: HandlerCost[] = [];
  for (const endpoint of endpoints) {
    for (const { file, text } of recordedReviews()) {
      const { request } = JSON.parse(text) as { request: AdmissionRequest };
      handlers.push({ endpoint: endpoint.name, fixture: file, ...timeHandler((r) => endpoint.handle(r), request) });
    }
  }

  const mutate = endpoints.find((e) => e.path === '/mutate');
  if (mutate === undefined) throw new Error('no /mutate endpoint');
  const request = stressRequest(stressPod());
  const times: number[] = [];
  let patchOps = 0;
  for (let i = 0; i < 25; i++) {
    const started = process.hrtime.bigint();
    const outcome = mutate.handle(request);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (i >= 5) times.push(ms); // the first few include JIT warm-up
    patchOps = outcome.patch?.length ?? 0;
  }
  times.sort((a, b) => a - b);
  const stress: StressCost = {
    shape: STRESS_SHAPE,
    bodyBytes: Buffer.byteLength(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request })),
    iterations: times.length,
    medianMs: times[Math.floor(times.length / 2)]!,
    maxMs: times[times.length - 1]!,
    patchOps,
  };
  const results: InProcessResults = { handlers, stress };
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

main();
