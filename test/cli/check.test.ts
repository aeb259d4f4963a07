import { XMLParser } from 'fast-xml-parser';
import { parse as parseYaml } from 'yaml';
import { runCli, tempRepo, type TempRepo } from '../helpers/cli.js';
import { sendReview, startTestWebhook, type TestWebhook } from '../helpers/webhook-server.js';
import { admissionReview, cassandraStatefulSet, SERVICE } from './manifests.js';

const OLD = cassandraStatefulSet('cassandra:3.11.16');
const NEW = cassandraStatefulSet('cassandra:4.1.3');
/** The StatefulSet's `kind:` line in the committed file. */
const KIND_LINE = 3;

let repo: TempRepo;
let webhook: TestWebhook;

beforeAll(async () => {
  repo = tempRepo();
  repo.commit({ 'k8s/cassandra.yaml': OLD, 'k8s/service.yaml': SERVICE }, 'Cassandra 3.11');
  repo.commit({ 'k8s/cassandra.yaml': NEW }, 'Upgrade Cassandra to 4.1');
  webhook = await startTestWebhook();
});
afterAll(async () => {
  repo.remove();
  await webhook.stop();
});

/** What the enforce webhook answers, over HTTPS, for the same update. */
async function enforceWebhookMessage(): Promise<string> {
  const review = admissionReview({
    operation: 'UPDATE',
    group: 'apps',
    kind: 'StatefulSet',
    resource: 'statefulsets',
    name: 'cassandra',
    namespace: 'db',
    object: parseYaml(NEW) as unknown,
    oldObject: parseYaml(OLD) as unknown,
  });
  const body = await sendReview(webhook, '/validate/enforce', review);
  expect(body.response.allowed).toBe(false);
  return body.response.status!.message;
}

test('a Cassandra 3.11 -> 4.1 bump without migration exits 2 with the enforce webhook\'s message', async () => {
  const message = await enforceWebhookMessage();
  const res = await runCli(['check', '--base', 'HEAD~1', '.'], { cwd: repo.dir });
  expect(res.code).toBe(2);
  const lines = res.stdout.split('\n');
  expect(lines).toContain(`k8s/cassandra.yaml:${KIND_LINE}: StatefulSet db/cassandra (UPDATE): denied: ${message}`);
  expect(message).not.toContain('\n');
  // The unchanged Service is checked too and passes; logs go to stderr only.
  expect(res.stdout).toMatch(/2 objects \(2 updated, 0 new\): 1 denied/);
  expect(res.stderr).toContain('base HEAD~1');
});

test('--assume-injection applies the mutating webhook first, so the same change passes', async () => {
  const res = await runCli(['check', '--base', 'HEAD~1', '--assume-injection', '.'], { cwd: repo.dir });
  expect(res.stderr).not.toContain('unexpected error');
  expect(res.code).toBe(0);
  expect(res.stdout).toMatch(/0 denied/);
  const json = await runCli(['check', '--base', 'HEAD~1', '--assume-injection', '--output', 'json', '.'], { cwd: repo.dir });
  const body = JSON.parse(json.stdout) as { results: { kind: string; allowed: boolean; injected: string[] }[] };
  const sts = body.results.find((r) => r.kind === 'StatefulSet')!;
  expect(sts.allowed).toBe(true);
  expect(sts.injected).toContain('annotation:migrate-from-image');
});

test('warn mode never denies; --fail-on-warn turns its warning into exit 1', async () => {
  const warn = await runCli(['check', '--base', 'HEAD~1', '--mode', 'warn', '.'], { cwd: repo.dir });
  expect(warn.code).toBe(0);
  const message = await enforceWebhookMessage();
  expect(warn.stdout).toContain(`StatefulSet db/cassandra (UPDATE): warning: ${message}`);
  const failing = await runCli(['check', '--base', 'HEAD~1', '--mode', 'warn', '--fail-on-warn', '.'], { cwd: repo.dir });
  expect(failing.code).toBe(1);
});

test('--output junit parses as JUnit XML with exactly one failing testcase', async () => {
  const res = await runCli(['check', '--base', 'HEAD~1', '--output', 'junit', '.'], { cwd: repo.dir });
  expect(res.code).toBe(2);
  const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => name === 'testcase' }).parse(res.stdout) as {
    testsuites: { testsuite: { '@tests': string; '@failures': string; testcase: { '@name': string; '@file': string; failure?: unknown }[] } };
  };
  const suite = xml.testsuites.testsuite;
  expect(suite['@tests']).toBe('2');
  expect(suite['@failures']).toBe('1');
  const failing = suite.testcase.filter((c) => c.failure !== undefined);
  expect(failing.map((c) => [c['@name'], c['@file']])).toEqual([['StatefulSet db/cassandra (UPDATE)', 'k8s/cassandra.yaml']]);
});

test('--output sarif is SARIF 2.1.0 with the rule id and the StatefulSet\'s file and line', async () => {
  const res = await runCli(['check', '--base', 'HEAD~1', '--output', 'sarif', 'k8s'], { cwd: repo.dir });
  expect(res.code).toBe(2);
  const sarif = JSON.parse(res.stdout) as {
    version: string;
    $schema: string;
    runs: {
      tool: { driver: { name: string; rules: { id: string }[] } };
      results: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[];
    }[];
  };
  expect(sarif.version).toBe('2.1.0');
  expect(sarif.$schema).toContain('sarif-2.1.0');
  const run = sarif.runs[0]!;
  expect(run.tool.driver.name).toBe('gossip-safe');
  const errors = run.results.filter((r) => r.level === 'error');
  expect(errors.map((r) => r.ruleId)).toEqual(['version-change-without-migration']);
  expect(run.tool.driver.rules.map((r) => r.id)).toContain('version-change-without-migration');
  expect(errors[0]!.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: 'k8s/cassandra.yaml' }, region: { startLine: KIND_LINE } });
});

test('--output github prints an ::error annotation on the StatefulSet\'s line', async () => {
  const message = await enforceWebhookMessage();
  const res = await runCli(['check', '--base', 'HEAD~1', '--output', 'github', '.'], { cwd: repo.dir });
  expect(res.code).toBe(2);
  const error = res.stdout.split('\n').find((l) => l.startsWith('::error '));
  expect(error).toBe(`::error file=k8s/cassandra.yaml,line=${KIND_LINE},title=gossip-safe%3A StatefulSet db/cassandra (UPDATE)::${message.replace(/%/g, '%25')}`);
});

test('- reads the head from stdin (helm template | gossip-safe check), paired with a base file', async () => {
  const res = await runCli(['check', '--base', 'k8s/cassandra.yaml', '-'], { cwd: repo.dir, input: cassandraStatefulSet('cassandra:5.0.2') });
  expect(res.code).toBe(2);
  expect(res.stdout).toMatch(/^<stdin>:3: StatefulSet db\/cassandra \(UPDATE\): denied: /m);
});

test('--head REF compares two commits without touching the working tree', async () => {
  repo.write({ 'k8s/cassandra.yaml': 'this: is: not: yaml' });
  try {
    const res = await runCli(['check', '--base', 'HEAD~1', '--head', 'HEAD', 'k8s'], { cwd: repo.dir });
    expect(res.code).toBe(2);
    const same = await runCli(['check', '--base', 'HEAD', '--head', 'HEAD', 'k8s'], { cwd: repo.dir });
    expect(same.code).toBe(0);
  } finally {
    repo.write({ 'k8s/cassandra.yaml': NEW });
  }
});

test('a new datastore is checked as a CREATE', async () => {
  const res = await runCli(['check', '--base', 'HEAD~1', '--output', 'json', 'k8s'], { cwd: repo.dir, input: '' });
  const body = JSON.parse(res.stdout) as { results: { kind: string; operation: string }[] };
  expect(body.results.map((r) => `${r.kind}:${r.operation}`).sort()).toEqual(['Service:UPDATE', 'StatefulSet:UPDATE']);
  const fresh = tempRepo();
  try {
    fresh.commit({ 'README.md': 'empty\n' }, 'start');
    fresh.write({ 'db.yaml': OLD });
    const created = await runCli(['check', '--base', 'HEAD', '--output', 'json', '.'], { cwd: fresh.dir });
    expect(created.code).toBe(0);
    const createdBody = JSON.parse(created.stdout) as { results: { kind: string; operation: string }[] };
    expect(createdBody.results).toEqual([expect.objectContaining({ kind: 'StatefulSet', operation: 'CREATE' })]);
  } finally {
    fresh.remove();
  }
});
