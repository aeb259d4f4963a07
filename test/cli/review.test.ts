import type { AdmissionReviewResponse } from '../../src/admission/types.js';
import { createProfileSet } from '../../src/profiles/profile-set.js';
import { BUILTIN_PROFILES } from '../../src/profiles/builtin.js';
import { createEndpoints } from '../../src/webhook/endpoints.js';
import { REVIEWS_DIR, loadReviewText, reviewFileNames } from '../helpers/fixtures.js';
import { runCli } from '../helpers/cli.js';
import { startTestWebhook, type TestWebhook } from '../helpers/webhook-server.js';

let webhook: TestWebhook;
beforeAll(async () => {
  webhook = await startTestWebhook();
});
afterAll(async () => {
  await webhook.stop();
});

/** Every webhook path the server has, and the review flags that select it. */
const PATHS = createEndpoints({ profiles: createProfileSet(BUILTIN_PROFILES) }).map((e) => e.path);
function reviewFlags(path: string): string[] {
  if (path === '/mutate') return [];
  const mode = /^\/validate\/(enforce|warn)$/.exec(path)?.[1];
  if (mode === undefined) throw new Error(`the review command has no flags for ${path}; add them`);
  return ['--validate', '--mode', mode];
}

test('the server has the mutating webhook at least', () => {
  expect(PATHS).toContain('/mutate');
});

describe.each(PATHS)('review answers as the HTTPS webhook at %s', (path) => {
  test.each(reviewFileNames())('%s', async (file) => {
    const [cli, https] = await Promise.all([
      runCli(['review', ...reviewFlags(path), `${REVIEWS_DIR}/${file}`]),
      webhook.client.postJson(`${path}?timeout=10s`, loadReviewText(file)),
    ]);
    expect(https.status).toBe(200);
    const expected = https.json<AdmissionReviewResponse>();
    expect(cli.stderr).toBe('');
    expect(JSON.parse(cli.stdout)).toEqual(expected);
    expect(cli.code).toBe(expected.response.allowed ? 0 : 2);
  });
});

test('review reads the request from stdin', async () => {
  const file = reviewFileNames()[0]!;
  const res = await runCli(['review', '-'], { input: loadReviewText(file) });
  expect(res.code).toBe(0);
  const body = JSON.parse(res.stdout) as AdmissionReviewResponse;
  expect(body.response.uid).toBe((JSON.parse(loadReviewText(file)) as { request: { uid: string } }).request.uid);
});
