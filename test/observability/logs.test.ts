import { Writable } from 'node:stream';
import { createReviewPipeline } from '../../src/http/review-pipeline.js';
import { createLogger } from '../../src/observability/logger.js';
import { WebhookMetrics } from '../../src/observability/metrics.js';
import { BUILTIN_PROFILES } from '../../src/profiles/builtin.js';
import { createProfileSet } from '../../src/profiles/profile-set.js';
import { createEndpoints } from '../../src/webhook/endpoints.js';
import { loadReviewText } from '../helpers/fixtures.js';

/**
 * What the webhook logs, at which level (docs/operations.md, Logs): named levels; a denial, and
 * each warning, on a line of its own with the message text and the object; reviews where
 * nothing happened only at debug.
 */
type Line = Record<string, unknown>;

function pipelineAt(level: string) {
  const lines: Line[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l) as Line);
      done();
    },
  });
  const pipeline = createReviewPipeline({
    endpoints: createEndpoints({ profiles: createProfileSet(BUILTIN_PROFILES) }),
    logger: createLogger({ level, destination }),
    metrics: new WebhookMetrics({ processMetrics: false }),
    bodyLimitBytes: 8 * 1024 * 1024,
  });
  const post = (path: string, fixture: string): void => {
    const answer = pipeline.answer('POST', path, { 'content-type': 'application/json' }, Buffer.from(loadReviewText(fixture)));
    expect(answer?.status).toBe(200);
  };
  return { lines, post };
}

const UPGRADE = 'statefulset-update-cassandra-3.11-to-4.1.json';
const DURING_ROLLOUT = 'statefulset-update-cassandra-4.1-to-5.0-during-rollout.json';
const OBJECT = { kind: 'StatefulSet', namespace: 'cassandra-prod', name: 'cassandra' };

test('levels are names, not numbers', () => {
  const { lines, post } = pipelineAt('debug');
  post('/mutate', 'pod-create-from-statefulset-cassandra.json');
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) expect(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).toContain(line['level']);
  expect(lines.find((l) => l['msg'] === 'admission')).toMatchObject({ level: 'info', decision: 'patched' });
});

test('a denial is one warn line with its message and the object', () => {
  const { lines, post } = pipelineAt('info');
  post('/validate/enforce', UPGRADE);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ level: 'warn', msg: 'admission denied', decision: 'denied', webhook: 'validate-enforce', operation: 'UPDATE', ...OBJECT });
  expect(String(lines[0]!['message'])).toMatch(/^statefulset cassandra-prod\/cassandra: container "cassandra" changes cassandra 3\.11\.16 -> 4\.1\.3 without an IP-migration step/);
  expect(lines[0]!['rules']).toEqual(expect.arrayContaining([expect.any(String)]));
});

test('each warning is a warn line of its own, with its text and the object', () => {
  const { lines, post } = pipelineAt('info');
  post('/validate/warn', DURING_ROLLOUT);
  const warnings = lines.filter((l) => l['msg'] === 'admission warning');
  expect(warnings).toHaveLength(2);
  for (const w of warnings) expect(w).toMatchObject({ level: 'warn', webhook: 'validate-warn', ...OBJECT });
  expect(String(warnings[0]!['warning'])).toContain('previous rollout still in progress');
  expect(String(warnings[1]!['warning'])).toContain('without an IP-migration step');
  // and the review's own line, at info, counting them
  expect(lines.filter((l) => l['msg'] === 'admission')).toEqual([expect.objectContaining({ level: 'info', decision: 'warned', warnings: 2 })]);
});

test('a review that passes through unchanged is logged at debug only', () => {
  const info = pipelineAt('info');
  info.post('/validate/enforce', 'statefulset-update-metadata-only.json');
  info.post('/mutate', 'pod-update-label-etcd.json');
  expect(info.lines).toEqual([]);
  const debug = pipelineAt('debug');
  debug.post('/validate/enforce', 'statefulset-update-metadata-only.json');
  expect(debug.lines).toEqual([expect.objectContaining({ level: 'debug', msg: 'admission', decision: 'allowed', ...OBJECT })]);
});
