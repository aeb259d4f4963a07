import { request } from 'node:https';
import { loadReviewText } from './helpers/fixtures.js';
import { startTestWebhook, type TestWebhook } from './helpers/webhook-server.js';

// Reviews as the apiserver sends them take a fast path past express (src/http/app.ts); anything
// unusual still goes through express. Both must give the same answers.
let webhook: TestWebhook;
beforeAll(async () => {
  webhook = await startTestWebhook({ bodyLimitBytes: 64 * 1024 });
});
afterAll(async () => {
  await webhook.stop();
});

const review = loadReviewText('pod-create-from-statefulset-cassandra.json');
const json = { 'content-type': 'application/json' };

/** POSTs with Transfer-Encoding: chunked (no Content-Length), which the fast path leaves to express. */
function postChunked(path: string, body: string): Promise<{ status: number; contentType: string | undefined; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, webhook.client.baseUrl), { method: 'POST', agent: webhook.client.agent, headers: json }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.write(body.slice(0, 1000));
    req.end(body.slice(1000));
  });
}

test('a review answered on the fast path and through express gets the same response', async () => {
  const fast = await webhook.client.send('POST', '/mutate?timeout=10s', review, json);
  const viaExpress = await postChunked('/mutate?timeout=10s', review);
  const trailingSlash = await webhook.client.send('POST', '/mutate/', review, json);
  expect(fast.status).toBe(200);
  expect(fast.headers['content-type']).toBe('application/json; charset=utf-8');
  for (const other of [viaExpress, trailingSlash]) {
    expect(other.status).toBe(200);
    expect(other.text).toBe(fast.text);
  }
  expect(viaExpress.contentType).toBe(fast.headers['content-type']);
});

test.each([
  ['a charset other than utf-8', { 'content-type': 'application/json; charset=latin1' }, review, 415, /charset/],
  ['a gzip Content-Encoding that is not gzip', { ...json, 'content-encoding': 'gzip' }, review, 400, /.+/],
  ['invalid JSON with a utf-8 charset', { 'content-type': 'application/json; charset=UTF-8' }, '{"kind":', 400, /not valid JSON/],
  ['a JSON number', json, '42', 400, /not a JSON object/],
])('%s is still a 4xx with a one-line reason', async (_name, headers, body, status, reason) => {
  const res = await webhook.client.send('POST', '/mutate', body, headers);
  expect(res.status).toBe(status);
  expect(res.text.trimEnd()).toMatch(reason);
  expect(res.text.trimEnd().split('\n')).toHaveLength(1);
});

test('bad requests on the fast path are counted and logged like those through express', async () => {
  await webhook.client.send('POST', '/mutate', '{oops', json);
  const metrics = await webhook.client.send('GET', '/metrics');
  expect(metrics.text).toMatch(/gossip_safe_bad_requests_total\{status="400"\} [1-9]/);
  expect(webhook.logs.some((l) => l['msg'] === 'bad request' && l['status'] === 400 && String(l['reason']).includes('not valid JSON'))).toBe(true);
});
