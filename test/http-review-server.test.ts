import { request } from 'node:https';
import { loadReviewText } from './helpers/fixtures.js';
import { startTestWebhook, type TestWebhook } from './helpers/webhook-server.js';

// The review pipeline (http-review-pipeline.test.ts) behind the HTTPS server: body reading.
const review = loadReviewText('pod-create-from-statefulset-cassandra.json');
const json = { 'content-type': 'application/json' };
const LIMIT = 64 * 1024;

describe('the review pipeline behind the HTTPS server', () => {
  let webhook: TestWebhook;
  beforeAll(async () => {
    webhook = await startTestWebhook({ bodyLimitBytes: LIMIT });
  });
  afterAll(async () => {
    await webhook.stop();
  });

  /** POSTs with Transfer-Encoding: chunked (no Content-Length). */
  function postChunked(path: string, body: string): Promise<{ status: number; contentType: string | undefined; connection: string | undefined; text: string }> {
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, webhook.client.baseUrl), { method: 'POST', agent: webhook.client.agent, headers: json }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], connection: res.headers['connection'], text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      });
      req.on('error', reject);
      for (let i = 0; i < body.length; i += 1000) req.write(body.slice(i, i + 1000));
      req.end();
    });
  }

  test('with and without Content-Length the answer is the same', async () => {
    const plain = await webhook.client.send('POST', '/mutate?timeout=10s', review, json);
    const chunked = await postChunked('/mutate?timeout=10s', review);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(chunked.status).toBe(200);
    expect(chunked.text).toBe(plain.text);
  });

  test('a chunked body over the limit is a 413 and the connection is closed', async () => {
    const res = await postChunked('/mutate', JSON.stringify({ pad: 'x'.repeat(LIMIT * 2) }));
    expect(res.status).toBe(413);
    expect(res.connection).toBe('close');
  });

  test('GET /mutate is 405 over HTTPS too; unknown paths stay 404 (express)', async () => {
    const get = await webhook.client.send('GET', '/mutate');
    expect(get.status).toBe(405);
    expect(get.headers['allow']).toBe('POST');
    expect((await webhook.client.send('POST', '/mutate/extra', review, json)).status).toBe(404);
  });
});
