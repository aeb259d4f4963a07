/**
 * The admission chain as the apiserver runs it: mutating webhooks first, then validating ones
 * on the mutated object. A Cassandra 3.11.16 -> 4.1.3 upgrade in an opted-in namespace must pass
 * end to end (workload UPDATE, then the controller's pods of the new revision), and the same
 * upgrade without gossip-safe's mutation must be stopped at both steps.
 */
import type { AdmissionReviewResponse } from '../src/admission/types.js';
import { ANNOTATION_MIGRATE_FROM, PREMIGRATE_CONTAINER } from '../src/contract.js';
import type { Pod, Workload } from '../src/k8s/types.js';
import { applyPatch } from '../src/patch/diff.js';
import { loadReview, type RecordedReview } from './helpers/fixtures.js';
import { decodePatch } from './helpers/review.js';
import { sendReview, startTestWebhook, type TestWebhook } from './helpers/webhook-server.js';

let webhook: TestWebhook;
beforeAll(async () => {
  webhook = await startTestWebhook();
});
afterAll(async () => {
  await webhook.stop();
});

const post = (path: string, review: RecordedReview): Promise<AdmissionReviewResponse> => sendReview(webhook, path, review);

/** Runs /mutate, applies its patch, and returns the review the validating webhooks would see. */
async function mutated(review: RecordedReview): Promise<RecordedReview> {
  const response = await post('/mutate', review);
  expect(response.response.allowed).toBe(true);
  const object = applyPatch(review.request.object, decodePatch(response));
  return { ...review, request: { ...review.request, object } };
}

/** The controller's pod of the new revision, carrying the template annotations of `workload`. */
function podOfRevision(workload: Workload): RecordedReview {
  const review = loadReview('pod-create-from-statefulset-new-revision-cassandra.json');
  const pod = review.request.object as Pod;
  const annotations = workload.spec?.template?.metadata?.annotations;
  if (annotations !== undefined) pod.metadata = { ...pod.metadata, annotations: { ...pod.metadata?.annotations, ...annotations } };
  return review;
}

test('in an opted-in namespace the upgrade passes: the workload gets the annotation, its pods the init container', async () => {
  const update = await mutated(loadReview('statefulset-update-cassandra-3.11-to-4.1.json'));
  const workload = update.request.object as Workload;
  expect(workload.spec?.template?.metadata?.annotations?.[ANNOTATION_MIGRATE_FROM]).toBe('cassandra:3.11.16');
  const workloadVerdict = await post('/validate/enforce', update);
  expect(workloadVerdict.response.allowed).toBe(true);

  const pod = await mutated(podOfRevision(workload));
  const init = (pod.request.object as Pod).spec?.initContainers ?? [];
  expect(init.at(-1)).toMatchObject({ name: PREMIGRATE_CONTAINER, image: 'cassandra:3.11.16' });
  const podVerdict = await post('/validate/enforce', pod);
  expect(podVerdict.response.allowed).toBe(true);
});

test('without the mutating webhook, enforce stops the upgrade at the workload and at its pods', async () => {
  const update = loadReview('statefulset-update-cassandra-3.11-to-4.1.json');
  const workloadVerdict = await post('/validate/enforce', update);
  expect(workloadVerdict.response.allowed).toBe(false);
  expect(workloadVerdict.response.status?.code).toBe(403);

  // A template annotated by hand, with injection off: the pods must not start unmigrated.
  const annotated = structuredClone(update.request.object) as Workload;
  annotated.spec!.template!.metadata = { ...annotated.spec?.template?.metadata, annotations: { [ANNOTATION_MIGRATE_FROM]: 'cassandra:3.11.16' } };
  const podVerdict = await post('/validate/enforce', podOfRevision(annotated));
  expect(podVerdict.response.allowed).toBe(false);
  expect(podVerdict.response.status?.message).toMatch(/no "gossip-premigrate" init container/);
});
