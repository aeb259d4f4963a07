import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { createReviewPipeline, type HttpAnswer } from '../src/http/review-pipeline.js';
import { createLogger } from '../src/observability/logger.js';
import { WebhookMetrics } from '../src/observability/metrics.js';
import { BUILTIN_PROFILES } from '../src/profiles/builtin.js';
import { createProfileSet } from '../src/profiles/profile-set.js';
import { createEndpoints } from '../src/webhook/endpoints.js';
import { loadReviewText } from './helpers/fixtures.js';

// Every request to a webhook path goes through one pipeline (src/http/review-pipeline.ts), past
// express; express only serves health, metrics and unknown paths. The pipeline is tested on its
// own, in-process, here; http-review-server.test.ts runs it behind the HTTPS server.
const review = loadReviewText('pod-create-from-statefulset-cassandra.json');
const json = { 'content-type': 'application/json' };
const LIMIT = 64 * 1024;

describe('the review pipeline, in-process', () => {
  const logs: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const metrics = new WebhookMetrics({ processMetrics: false });
  const pipeline = createReviewPipeline({
    endpoints: createEndpoints({ profiles: createProfileSet(BUILTIN_PROFILES) }),
    logger: createLogger({ level: 'debug', destination }),
    metrics,
    bodyLimitBytes: LIMIT,
  });
  const post = (body: string | Buffer, headers: Record<string, string> = json, url = '/mutate?timeout=10s'): HttpAnswer => {
    const answer = pipeline.answer('POST', url, headers, Buffer.isBuffer(body) ? body : Buffer.from(body));
    if (answer === undefined) throw new Error(`${url} is not a review path`);
    return answer;
  };
  const ok = post(review);

  test('a review gets the encoded AdmissionReview', () => {
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toBe('application/json; charset=utf-8');
    expect((JSON.parse(ok.body) as { response: { patchType?: string } }).response.patchType).toBe('JSONPatch');
  });

  test('non-review paths are left to express', () => {
    expect(pipeline.answer('GET', '/healthz', {}, Buffer.alloc(0))).toBeUndefined();
    expect(pipeline.answer('POST', '/mutate/extra', json, Buffer.from(review))).toBeUndefined();
  });

  test.each([
    ['a trailing slash', '/mutate/'],
    ['another case', '/MUTATE'],
    ['a query string', '/mutate?timeout=10s&x=y'],
  ])('%s names the same endpoint', (_name, url) => {
    expect(post(review, json, url).body).toBe(ok.body);
  });

  test.each([
    ['a utf-8 charset', { 'content-type': 'application/json; charset=UTF-8' }, review],
    ['a byte order mark', json, `\ufeff${review}`],
    ['gzip', { ...json, 'content-encoding': 'gzip' }, gzipSync(review)],
  ])('%s gives the same answer', (_name, headers, body) => {
    expect(post(body, headers).body).toBe(ok.body);
  });

  test.each<[string, string, Record<string, string>, string | Buffer, number, RegExp]>([
    // Rough edge: this was `415 content type must be application/json, got application/json`.
    ['an empty body with the right content type', 'POST', json, '', 400, /^body is empty; expected an AdmissionReview$/],
    ['no content type', 'POST', {}, review, 415, /^content type must be application\/json, got none$/],
    ['text/plain', 'POST', { 'content-type': 'text/plain' }, review, 415, /^content type must be application\/json, got text\/plain$/],
    ['a charset other than utf-8', 'POST', { 'content-type': 'application/json; charset=latin1' }, review, 415, /charset "LATIN1"/],
    ['an unknown content encoding', 'POST', { ...json, 'content-encoding': 'zstd' }, review, 415, /content encoding "zstd"/],
    ['a gzip Content-Encoding that is not gzip', 'POST', { ...json, 'content-encoding': 'gzip' }, review, 400, /^body is not valid gzip/],
    ['a Content-Length over the limit', 'POST', { ...json, 'content-length': String(LIMIT + 1) }, '{}', 413, /too large/],
    ['a body over the limit', 'POST', json, JSON.stringify({ pad: 'x'.repeat(LIMIT) }), 413, /too large/],
    ['a gzip body over the limit once inflated', 'POST', { ...json, 'content-encoding': 'gzip' }, gzipSync(JSON.stringify({ pad: 'x'.repeat(LIMIT) })), 413, /decompressed/],
    ['invalid JSON', 'POST', json, '{"kind":', 400, /^body is not valid JSON/],
    ['a JSON number', 'POST', json, '42', 400, /not a JSON object/],
  ])('%s is a %#: one-line 4xx', (_name, method, headers, body, status, reason) => {
    const answer = pipeline.answer(method, '/mutate', headers, Buffer.isBuffer(body) ? body : Buffer.from(body))!;
    expect(answer.status).toBe(status);
    expect(answer.body.trimEnd()).toMatch(reason);
    expect(answer.body.trimEnd().split('\n')).toHaveLength(1);
  });

  // Rough edge: GET /mutate was a 404 ("no route"), as if the endpoint did not exist.
  test.each(['GET', 'PUT', 'HEAD'])('%s on a webhook path is 405 with Allow: POST', (method) => {
    const answer = pipeline.answer(method, '/validate/enforce', {}, Buffer.alloc(0))!;
    expect(answer.status).toBe(405);
    expect(answer.headers['allow']).toBe('POST');
  });

  test('bad requests are counted and logged', async () => {
    post('{oops');
    expect(await metrics.registry.metrics()).toMatch(/gossip_safe_bad_requests_total\{status="400"\} [1-9]/);
    expect(logs.some((l) => l['msg'] === 'bad request' && l['status'] === 400 && String(l['reason']).includes('not valid JSON'))).toBe(true);
  });
});
