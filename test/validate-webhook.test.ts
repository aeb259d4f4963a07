import type { AdmissionReviewResponse } from '../src/admission/types.js';
import { applyPatch } from '../src/patch/diff.js';
import { loadReview, type RecordedReview } from './helpers/fixtures.js';
import { decodePatch } from './helpers/review.js';
import { sendReview, startTestWebhook, type TestWebhook } from './helpers/webhook-server.js';
import { followUp, reversed, withImages, withObject, withObjectAnnotation } from './helpers/workload-variants.js';

// Golden messages, written from the issue text and the README's rule table.
const MIGRATION_3_TO_4 =
  'statefulset cassandra-prod/cassandra: container "cassandra" changes cassandra 3.11.16 -> 4.1.3 without an IP-migration step; ' +
  'label namespace cassandra-prod gossip-safe.io/inject=enabled, or set spec.template.metadata.annotations["gossip-safe.io/migrate-from-image"]="cassandra:3.11.16"';
const MIGRATION_4_TO_5 =
  'statefulset cassandra-prod/cassandra: container "cassandra" changes cassandra 4.1.3 -> 5.0.2 without an IP-migration step; ' +
  'label namespace cassandra-prod gossip-safe.io/inject=enabled, or set spec.template.metadata.annotations["gossip-safe.io/migrate-from-image"]="cassandra:4.1.3"';
const ROLLOUT =
  'statefulset cassandra-prod/cassandra: previous rollout still in progress ' +
  '(current revision cassandra-7f975b57fb, update revision cassandra-5497f84fbb, 2/4 pods updated); ' +
  'finish it (kubectl rollout status statefulset/cassandra -n cassandra-prod) ' +
  'before changing cassandra 4.1.3 -> 5.0.2';
const DOWNGRADE =
  'statefulset cassandra-prod/cassandra: container "cassandra" downgrades cassandra 4.1.3 -> 3.11.16; 3.x cannot read data files written by 4.x; ' +
  'keep 4.1.3, or set metadata.annotations["gossip-safe.io/allow-downgrade"]="true" if no 4.x data was written';
const UNSUPPORTED_3_TO_5 =
  'statefulset cassandra-prod/cassandra: container "cassandra" cassandra 3.11.16 -> 5.0.2 is not a supported upgrade: ' +
  '5.0 refuses messaging from nodes older than 4.0, so a mixed 3.x/5.0 ring splits; upgrade to 4.1 first';
const DOWNGRADE_RISK =
  'statefulset cassandra-prod/cassandra: container "cassandra" downgrades cassandra 4.1.3 -> 3.11.16, allowed by gossip-safe.io/allow-downgrade; ' +
  'it risks: Cassandra supports no downgrade: a release may not read the system tables, commit log or SSTables a later release wrote';
const POD_WITHOUT_INIT =
  'pod cassandra-prod/cassandra-2: gossip-safe.io/migrate-from-image="cassandra:3.11.16" but no "gossip-premigrate" init container, ' +
  'so container "cassandra" (cassandra) would skip the IP-migration step; label namespace cassandra-prod gossip-safe.io/inject=enabled';

const UPGRADE = 'statefulset-update-cassandra-3.11-to-4.1.json';
const UPGRADE_DRYRUN = 'statefulset-update-cassandra-3.11-to-4.1-dryrun.json';
const ROLLOUT_FIXTURE = 'statefulset-update-cassandra-4.1-to-5.0-during-rollout.json';

let webhook: TestWebhook;
beforeAll(async () => {
  webhook = await startTestWebhook();
});
afterAll(async () => {
  await webhook.stop();
});

const post = (path: string, review: RecordedReview): Promise<AdmissionReviewResponse> => sendReview(webhook, path, review);

const enforce = (r: RecordedReview) => post('/validate/enforce', r);
const warn = (r: RecordedReview) => post('/validate/warn', r);

/** The review as the validating webhook sees it once /mutate's patch is applied. */
async function mutated(review: RecordedReview): Promise<RecordedReview> {
  const body = await post('/mutate', review);
  expect(body.response.allowed).toBe(true);
  return withObject(review, applyPatch(review.request.object, decodePatch(body)));
}

function expectDenied(body: AdmissionReviewResponse, message: string): void {
  expect(body.response.allowed).toBe(false);
  expect(body.response.status?.code).toBe(403);
  expect(body.response.status?.message).toBe(message);
}

function expectAllowedQuietly(body: AdmissionReviewResponse): void {
  expect(body.response.allowed).toBe(true);
  expect(body.response.patch).toBeUndefined();
  expect(body.response.status).toBeUndefined();
  expect(body.response.warnings).toBeUndefined();
}

describe('cassandra 3.11.16 -> 4.1.3 (recorded)', () => {
  test('/mutate adds only the migrate-from-image annotation to the template', async () => {
    const review = loadReview(UPGRADE);
    const body = await post('/mutate', review);
    expect(body.response.allowed).toBe(true);
    const patch = decodePatch(body);
    expect(patch.every((op) => op.path.startsWith('/spec/template/metadata/annotations'))).toBe(true);
    const expected = structuredClone(review.request.object!) as { spec: { template: { metadata: { annotations?: Record<string, string> } } } };
    expected.spec.template.metadata.annotations = { 'gossip-safe.io/migrate-from-image': 'cassandra:3.11.16' };
    expect(applyPatch(review.request.object, patch)).toEqual(expected);
  });

  test('the original review is denied in enforce with the documented message', async () => {
    expectDenied(await enforce(loadReview(UPGRADE)), MIGRATION_3_TO_4);
  });

  test('the mutated object is allowed in enforce', async () => {
    expectAllowedQuietly(await enforce(await mutated(loadReview(UPGRADE))));
  });

  test('the dryRun recording gets identical verdicts from every webhook', async () => {
    const live = loadReview(UPGRADE);
    const dry = loadReview(UPGRADE_DRYRUN);
    expect(dry.request.dryRun).toBe(true);
    for (const path of ['/mutate', '/validate/enforce', '/validate/warn']) {
      const a = (await post(path, live)).response;
      const b = (await post(path, dry)).response;
      expect({ ...b, uid: a.uid }).toEqual(a);
    }
    expectDenied(await enforce(dry), MIGRATION_3_TO_4);
    expectAllowedQuietly(await enforce(await mutated(dry)));
  });

  test('a later update that drops the annotation without a version change gets it back, and is allowed', async () => {
    const review = loadReview(UPGRADE);
    const stored = (await mutated(review)).request.object!;
    const reapplied = structuredClone(review.request.object!);
    const next = followUp(review, stored, reapplied);
    const body = await post('/mutate', next);
    const restored = applyPatch(next.request.object, decodePatch(body));
    expect(restored).toEqual(stored);
    expect(body.response.warnings?.[0]).toContain('kept gossip-safe.io/migrate-from-image="cassandra:3.11.16"');
    expectAllowedQuietly(await enforce(withObject(next, restored)));
    // Without injection (no /mutate) the re-apply is still not denied: the version is unchanged.
    expect((await enforce(next)).response.allowed).toBe(true);
  });

  test('DELETE is never denied', async () => {
    const review = loadReview(UPGRADE);
    review.request = { ...review.request, operation: 'DELETE', oldObject: review.request.object };
    delete review.request.object;
    expectAllowedQuietly(await enforce(review));
  });
});

describe('variants of the 3.11 -> 4.1 recording', () => {
  test('reversed (4.1.3 -> 3.11.16) is denied as a major downgrade, also after mutation', async () => {
    const review = reversed(loadReview(UPGRADE), 'cassandra');
    const raw = await enforce(review);
    expect(raw.response.allowed).toBe(false);
    expect(raw.response.status?.message).toContain(DOWNGRADE);
    expectDenied(await enforce(await mutated(review)), DOWNGRADE);
  });

  test('reversed with gossip-safe.io/allow-downgrade: "true" is allowed, with no migration step (a downgrade never gets one), and warns what it risks', async () => {
    const review = withObjectAnnotation(reversed(loadReview(UPGRADE), 'cassandra'), 'gossip-safe.io/allow-downgrade', 'true');
    expect((await enforce(review)).response.allowed).toBe(true);
    const after = await mutated(review);
    const template = (after.request.object as { spec: { template: { metadata?: { annotations?: Record<string, string> } } } }).spec.template;
    expect(template.metadata?.annotations?.['gossip-safe.io/migrate-from-image']).toBeUndefined();
    const body = await enforce(after);
    expect(body.response.allowed).toBe(true);
    expect(body.response.warnings).toEqual([DOWNGRADE_RISK]);
  });

  test('3.11.16 -> 5.0.2 is denied by the upgrade-path table, also after mutation (issue 24)', async () => {
    const review = withImages(loadReview(UPGRADE), 'cassandra', 'cassandra:3.11.16', 'cassandra:5.0.2');
    const raw = await enforce(review);
    expect(raw.response.allowed).toBe(false);
    expect(raw.response.status?.message).toContain(UNSUPPORTED_3_TO_5);
    expectDenied(await enforce(await mutated(review)), UNSUPPORTED_3_TO_5);
  });

  test('a patch release (4.1.3 -> 4.1.5) needs no migration: no patch, allowed quietly', async () => {
    const review = withImages(loadReview(UPGRADE), 'cassandra', 'cassandra:4.1.3', 'cassandra:4.1.5');
    expect(decodePatch(await post('/mutate', review))).toEqual([]);
    expectAllowedQuietly(await enforce(review));
  });
});

describe('rollout in progress (recorded 4.1 -> 5.0)', () => {
  test('is denied in enforce, naming both revisions and the way out', async () => {
    const body = await enforce(loadReview(ROLLOUT_FIXTURE));
    expectDenied(body, `2 problems: (1) ${ROLLOUT} (2) ${MIGRATION_4_TO_5}`);
  });

  test('is still denied once the migration step is recorded', async () => {
    expectDenied(await enforce(await mutated(loadReview(ROLLOUT_FIXTURE))), ROLLOUT);
  });
});

describe('updates that leave the datastore version alone', () => {
  test.each(['statefulset-update-metadata-only.json', 'deployment-update-serf-image.json'])(
    '%s: allowed, no patch, no warning on every webhook',
    async (file) => {
      const review = loadReview(file);
      for (const path of ['/mutate', '/validate/enforce', '/validate/warn']) expectAllowedQuietly(await post(path, review));
    },
  );
});

describe('pods', () => {
  function podWithMigrateFrom(): RecordedReview {
    const review = loadReview('pod-create-from-statefulset-new-revision-cassandra.json');
    const meta = review.request.object!['metadata'] as { annotations?: Record<string, string> };
    meta.annotations = { ...meta.annotations, 'gossip-safe.io/migrate-from-image': 'cassandra:3.11.16' };
    return review;
  }

  test('migrate-from-image without a gossip-premigrate init container is denied in enforce', async () => {
    const body = await enforce(podWithMigrateFrom());
    expect(body.response.allowed).toBe(false);
    expect(body.response.status).toEqual({ code: 403, message: POD_WITHOUT_INIT, reason: 'Forbidden' });
  });

  test('with the init container present (as injection leaves it) it is allowed', async () => {
    const review = podWithMigrateFrom();
    const spec = review.request.object!['spec'] as { initContainers?: unknown[] };
    spec.initContainers = [{ name: 'gossip-premigrate', image: 'cassandra:3.11.16' }];
    expect((await enforce(review)).response.allowed).toBe(true);
  });
});

describe('warn mode', () => {
  const denials: [string, () => Promise<RecordedReview>][] = [
    ['3.11 -> 4.1 without migration', () => Promise.resolve(loadReview(UPGRADE))],
    ['rollout in progress', () => Promise.resolve(loadReview(ROLLOUT_FIXTURE))],
    ['major downgrade', () => mutated(reversed(loadReview(UPGRADE), 'cassandra'))],
    ['pod without init container', () => {
      const review = loadReview('pod-create-from-statefulset-new-revision-cassandra.json');
      (review.request.object!['metadata'] as { annotations?: Record<string, string> }).annotations = {
        'gossip-safe.io/migrate-from-image': 'cassandra:3.11.16',
      };
      return Promise.resolve(review);
    }],
  ];

  test.each(denials)('%s: allowed, with the enforce text as warnings', async (_name, build) => {
    const review = await build();
    const enforced = (await enforce(review)).response;
    const warned = (await warn(review)).response;
    expect(enforced.allowed).toBe(false);
    expect(warned.allowed).toBe(true);
    expect(warned.status).toBeUndefined();
    const warnings = warned.warnings ?? [];
    const denied = warnings.slice(0, warnings.length - (enforced.warnings?.length ?? 0));
    const joined = denied.length === 1 ? denied[0] : `${denied.length} problems: ${denied.map((m, i) => `(${i + 1}) ${m}`).join(' ')}`;
    expect(joined).toBe(enforced.status?.message);
    expect(warnings.slice(denied.length)).toEqual(enforced.warnings ?? []);
  });
});

describe('observability', () => {
  test('decisions are counted by webhook, rule and decision, and logged with the rule', async () => {
    const review = loadReview(UPGRADE);
    await enforce(review);
    await warn(review);
    const metrics = (await webhook.client.send('GET', '/metrics')).text;
    expect(metrics).toMatch(/gossip_safe_rule_decisions_total\{webhook="validate-enforce",rule="version-change-without-migration",decision="denied"\} [1-9]/);
    expect(metrics).toMatch(/gossip_safe_rule_decisions_total\{webhook="validate-warn",rule="version-change-without-migration",decision="warned"\} [1-9]/);
    const line = webhook.logs.find((l) => l['uid'] === review.request.uid && l['webhook'] === 'validate-enforce');
    expect(line).toMatchObject({ decision: 'denied', rules: ['version-change-without-migration'] });
  });
});
