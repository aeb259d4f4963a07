import { runCli, tempRepo, type TempRepo } from '../helpers/cli.js';
import { cassandraStatefulSet } from './manifests.js';

let repo: TempRepo;
beforeAll(() => {
  repo = tempRepo();
  repo.commit({ 'db/cassandra.yaml': cassandraStatefulSet('cassandra:3.11.16') }, 'Cassandra 3.11');
});
afterAll(() => repo.remove());

/** A one-line error naming what was wrong, the documented exit code, and no stack trace. */
function expectOneLineError(res: { code: number | null; stdout: string; stderr: string }, code: number, mentions: string): void {
  expect(res.code).toBe(code);
  expect(res.stdout).toBe('');
  const lines = res.stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^gossip-safe: /);
  expect(lines[0]).toContain(mentions);
  expect(res.stderr).not.toMatch(/\n\s+at /);
}

test('malformed YAML names the file and line (check and inject), exit 3', async () => {
  repo.write({ 'db/broken.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: [unclosed\n' });
  try {
    expectOneLineError(await runCli(['check', '--base', 'HEAD', 'db'], { cwd: repo.dir }), 3, 'db/broken.yaml:');
    expectOneLineError(await runCli(['inject', '-f', 'db/broken.yaml'], { cwd: repo.dir }), 3, 'db/broken.yaml:');
  } finally {
    repo.write({ 'db/broken.yaml': '' });
  }
});

test('an unknown git ref is named, exit 3', async () => {
  const res = await runCli(['check', '--base', 'origin/no-such-branch', 'db'], { cwd: repo.dir });
  expectOneLineError(res, 3, 'origin/no-such-branch');
});

test('a missing file is named, exit 3', async () => {
  expectOneLineError(await runCli(['check', '--base', 'HEAD', 'db/missing.yaml'], { cwd: repo.dir }), 3, 'db/missing.yaml');
  expectOneLineError(await runCli(['inject', '-f', 'nowhere.yaml'], { cwd: repo.dir }), 3, 'nowhere.yaml');
  expectOneLineError(await runCli(['review', 'no-request.json'], { cwd: repo.dir }), 3, 'no-request.json');
});

test('a file that is not an AdmissionReview is named, exit 3', async () => {
  repo.write({ 'not-a-review.json': '{"kind": "Pod"}' });
  expectOneLineError(await runCli(['review', 'not-a-review.json'], { cwd: repo.dir }), 3, 'not-a-review.json');
});

test('usage errors exit 64 with one line', async () => {
  expectOneLineError(await runCli(['check', 'db'], { cwd: repo.dir }), 64, '--base');
  expectOneLineError(await runCli(['check', '--base', 'HEAD', '--output', 'xml', 'db'], { cwd: repo.dir }), 64, '--output');
  expectOneLineError(await runCli(['check', '--base', 'HEAD', '--mode', 'strict', 'db'], { cwd: repo.dir }), 64, '--mode');
  expectOneLineError(await runCli(['inject', '--bogus'], { cwd: repo.dir }), 64, '--bogus');
});

test('a bad profiles config is an input error naming the file', async () => {
  repo.write({ 'profiles.yaml': 'profiles:\n  serf:\n    minGraceSeconds: soon\n' });
  expectOneLineError(await runCli(['check', '--base', 'HEAD', '--config', 'profiles.yaml', 'db'], { cwd: repo.dir }), 3, 'profiles.yaml');
});

test.each([
  ['check', 'gossip-safe check --base origin/main'],
  ['inject', 'gossip-safe inject -f'],
  ['review', 'gossip-safe review'],
])('%s --help shows usage, exit codes and examples', async (command, example) => {
  const res = await runCli([command, '--help']);
  expect(res.code).toBe(0);
  expect(res.stdout).toMatch(new RegExp(`^Usage: gossip-safe ${command} `));
  expect(res.stdout).toContain('Examples:');
  expect(res.stdout).toContain(example);
  expect(res.stdout).toContain('Exit codes:');
});

test('gossip-safe --help lists the offline commands', async () => {
  const res = await runCli(['--help']);
  expect(res.code).toBe(0);
  for (const command of ['serve', 'check', 'inject', 'review']) expect(res.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
});
