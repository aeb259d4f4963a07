import type { AdmissionReviewResponse } from '../../src/admission/types.js';
import { createProfileSet } from '../../src/profiles/profile-set.js';
import { BUILTIN_PROFILES } from '../../src/profiles/builtin.js';
import { createEndpoints } from '../../src/webhook/endpoints.js';
import { REVIEWS_DIR, loadReviewText, reviewFileNames } from '../helpers/fixtures.js';
import { runCli, type CliRun } from '../helpers/cli.js';
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

/** Runs `work` over `items`, at most `limit` at a time: subprocesses, on a 2-core machine shared with the other suites. */
async function pool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const CASES = PATHS.flatMap((path) => reviewFileNames().map((file) => ({ path, file })));
let cliRuns: Map<string, CliRun>;
beforeAll(async () => {
  const runs = await pool(CASES, 2, ({ path, file }) => runCli(['review', ...reviewFlags(path), `${REVIEWS_DIR}/${file}`]));
  cliRuns = new Map(CASES.map((c, i) => [`${c.path} ${c.file}`, runs[i]!]));
}, 120_000);

test.each(CASES)('review answers as the HTTPS webhook at $path for $file', async ({ path, file }) => {
  const https = await webhook.client.postJson(`${path}?timeout=10s`, loadReviewText(file));
  expect(https.status).toBe(200);
  const expected = https.json<AdmissionReviewResponse>();
  const cli = cliRuns.get(`${path} ${file}`)!;
  expect(cli.stderr).toBe('');
  expect(JSON.parse(cli.stdout)).toEqual(expected);
  expect(cli.code).toBe(expected.response.allowed ? 0 : 2);
});

test('review reads the request from stdin', async () => {
  const file = reviewFileNames()[0]!;
  const res = await runCli(['review', '-'], { input: loadReviewText(file) });
  expect(res.code).toBe(0);
  const body = JSON.parse(res.stdout) as AdmissionReviewResponse;
  expect(body.response.uid).toBe((JSON.parse(loadReviewText(file)) as { request: { uid: string } }).request.uid);
});
