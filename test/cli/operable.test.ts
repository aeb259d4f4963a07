import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { audit } from '../../src/audit/audit.js';
import { AUDIT_OUTPUT_FORMATS, formatAudit } from '../../src/audit/report.js';
import { AUDIT_HELP } from '../../src/cli/audit.js';
import { CHECK_HELP } from '../../src/cli/check.js';
import { INJECT_HELP } from '../../src/cli/inject.js';
import { REVIEW_HELP } from '../../src/cli/review.js';
import type { K8sObject } from '../../src/offline/manifests.js';
import { loadProfileSet } from '../../src/profiles/config.js';
import { runCli, tempRepo, type TempRepo } from '../helpers/cli.js';
import { cassandraStatefulSet as clusterStatefulSet, NOW, stuckPremigratePod, uninjectedPod } from '../audit/cluster.js';
import { cassandraStatefulSet } from './manifests.js';

/**
 * The CLI habits platform teams expect from kubectl-like tools (issue 27): -o yaml, completion,
 * `help <command>`, exit codes per command, one-line errors, plurals, duplicate keys.
 */
let repo: TempRepo;
beforeAll(() => {
  repo = tempRepo();
  repo.commit({ 'db/cassandra.yaml': cassandraStatefulSet('cassandra:3.11.16') }, 'Cassandra 3.11');
  repo.write({ 'db/cassandra.yaml': cassandraStatefulSet('cassandra:4.0.13') });
});
afterAll(() => repo.remove());

function expectOneLineError(res: { code: number | null; stdout: string; stderr: string }, code: number, mentions: string): string {
  expect({ code: res.code, stdout: res.stdout }).toEqual({ code, stdout: '' });
  const lines = res.stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^gossip-safe: /);
  expect(lines[0]).toContain(mentions);
  // Nothing but printable text: no raw bytes of the input, no escape sequences.
  expect(lines[0]).toMatch(/^[\x20-\x7e\u00a0-\uffef]*$/);
  expect(lines[0]).not.toContain('\ufffd');
  return lines[0]!;
}

describe('-o yaml', () => {
  test('check -o yaml is the -o json document, as YAML', async () => {
    const json = await runCli(['check', '--base', 'HEAD', '-o', 'json', 'db'], { cwd: repo.dir });
    const yaml = await runCli(['check', '--base', 'HEAD', '-o', 'yaml', 'db'], { cwd: repo.dir });
    expect(yaml.code).toBe(json.code);
    expect(yaml.stdout).not.toMatch(/^\s*\{/);
    expect(parseYaml(yaml.stdout)).toEqual(JSON.parse(json.stdout));
    expect(CHECK_HELP).toMatch(/text, json, yaml/);
  });

  test('audit -o yaml is the -o json document, as YAML', () => {
    const ns: K8sObject[] = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'cassandra-prod', labels: { 'gossip-safe.io/inject': 'enabled' } } }];
    const result = audit({ namespaces: ns, pods: [uninjectedPod(), stuckPremigratePod()], workloads: [clusterStatefulSet()] }, loadProfileSet(undefined), NOW);
    expect(AUDIT_OUTPUT_FORMATS).toContain('yaml');
    const yaml = formatAudit(result, 'yaml', 'all namespaces', NOW);
    expect(parseYaml(yaml)).toEqual(JSON.parse(formatAudit(result, 'json', 'all namespaces', NOW)));
    expect(AUDIT_HELP).toMatch(/text, json, yaml/);
  });
});

describe('help', () => {
  test.each([
    ['check', CHECK_HELP],
    ['inject', INJECT_HELP],
    ['review', REVIEW_HELP],
    ['audit', AUDIT_HELP],
  ])('help %s prints that command\'s help', async (command, help) => {
    const res = await runCli(['help', command]);
    expect({ code: res.code, stdout: res.stdout }).toEqual({ code: 0, stdout: help });
  });

  test('help of an unknown command is a usage error', async () => {
    expectOneLineError(await runCli(['help', 'frobnicate']), 64, 'frobnicate');
  });

  /** The codes each command can return, from its code (not from its help). */
  test.each([
    ['check', CHECK_HELP, [0, 1, 2, 3, 64, 70]],
    ['review', REVIEW_HELP, [0, 2, 3, 64, 70]],
    ['inject', INJECT_HELP, [0, 3, 64, 70]],
    ['audit', AUDIT_HELP, [0, 1, 2, 3, 64, 70]],
  ])('%s --help lists each exit code it returns, once', (_command, help, codes) => {
    const section = help.slice(help.indexOf('Exit codes:'));
    expect([...section.matchAll(/^\s+(\d+)\s/gm)].map((m) => Number(m[1]))).toEqual(codes);
  });

  test("audit's exit codes describe audit, not check", () => {
    const section = AUDIT_HELP.slice(AUDIT_HELP.indexOf('Exit codes:'));
    expect(section).not.toMatch(/git ref|malformed YAML|enforce webhook would reject at least one object/);
    expect(section).toMatch(/^\s+2\s.*error/m);
    expect(section).toMatch(/^\s+3\s.*cluster/m);
    expect(AUDIT_HELP).not.toContain("same as check's");
  });
});

describe('completion', () => {
  test('completion bash is a bash script that completes commands and options', async () => {
    const res = await runCli(['completion', 'bash']);
    expect(res.code).toBe(0);
    const syntax = spawnSync('bash', ['-n'], { input: res.stdout, encoding: 'utf8', timeout: 10_000 });
    expect(syntax.stderr).toBe('');
    expect(syntax.status).toBe(0);
    // Ask the script itself, as bash's programmable completion does.
    const complete = (words: string[]): string[] => {
      const script = `${res.stdout}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _gossip_safe; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 10_000 });
      expect(r.stderr).toBe('');
      return r.stdout.split('\n').filter((l) => l !== '');
    };
    expect(complete(['gossip-safe', 'ch'])).toEqual(['check']);
    expect(complete(['gossip-safe', 'check', '--fail'])).toEqual(['--fail-on-warn']);
    expect(complete(['gossip-safe', 'audit', '-o', ''])).toEqual(['text', 'json', 'yaml', 'policyreport']);
    expect(complete(['gossip-safe', 'completion', ''])).toEqual(['bash', 'zsh', 'fish']);
  });

  test.each(['zsh', 'fish'])('completion %s names every command', async (shell) => {
    const res = await runCli(['completion', shell]);
    expect(res.code).toBe(0);
    for (const command of ['serve', 'certs', 'check', 'inject', 'audit', 'review', 'completion', 'help']) expect(res.stdout).toContain(command);
    if (shell === 'zsh') {
      expect(res.stdout).toMatch(/^#compdef gossip-safe/);
      expect(res.stdout).toContain("'--fail-on-warn[fail-on-warn]'");
      expect(res.stdout).toContain(":value:(text json yaml policyreport)'");
    } else {
      expect(res.stdout).toContain('complete -c gossip-safe -n "__fish_seen_subcommand_from check" -l fail-on-warn\n');
      expect(res.stdout).toContain("-s o -l output -x -a 'text json yaml policyreport'");
    }
  });

  // zsh and fish are not in CI's image: where they are installed, the scripts must parse, and
  // fish's own completer must offer the values.
  const has = (shell: string): boolean => spawnSync(shell, ['-c', 'exit 0'], { timeout: 10_000 }).status === 0;
  test.each(['zsh', 'fish'])('completion %s parses in that shell, where it is installed', async (shell) => {
    if (!has(shell)) return;
    const res = await runCli(['completion', shell]);
    const file = join(repo.dir, `completion.${shell}`);
    writeFileSync(file, res.stdout);
    const syntax = spawnSync(shell, ['-n', file], { encoding: 'utf8', timeout: 10_000 });
    expect({ status: syntax.status, stderr: syntax.stderr }).toEqual({ status: 0, stderr: '' });
    if (shell === 'fish') {
      const r = spawnSync('fish', ['-c', `${res.stdout}\ncomplete -C "gossip-safe audit -o "`], { encoding: 'utf8', timeout: 10_000 });
      expect(r.stdout.split('\n').filter((l) => l !== '').sort()).toEqual(['json', 'policyreport', 'text', 'yaml']);
    }
  });

  test('completion of an unknown shell is a usage error', async () => {
    expectOneLineError(await runCli(['completion', 'tcsh']), 64, 'bash, zsh or fish');
  });
});

describe('one-line errors', () => {
  test('an unknown option is one line naming it and the help, exit 64', async () => {
    const line = expectOneLineError(await runCli(['check', '--bogus', '--base', 'HEAD'], { cwd: repo.dir }), 64, '--bogus');
    expect(line).toBe('gossip-safe: check: unknown option --bogus; see "gossip-safe check --help"');
    expectOneLineError(await runCli(['inject', '-z']), 64, 'unknown option -z');
  });

  test('an option without its value is one line, exit 64', async () => {
    const line = expectOneLineError(await runCli(['check', '--base'], { cwd: repo.dir }), 64, '--base');
    expect(line).toBe('gossip-safe: check: --base needs a value; see "gossip-safe check --help"');
  });

  test('review of a directory says so, exit 3', async () => {
    mkdirSync(join(repo.dir, 'requests'), { recursive: true });
    const line = expectOneLineError(await runCli(['review', 'requests'], { cwd: repo.dir }), 3, 'requests');
    expect(line).not.toContain('EISDIR');
    expect(line).toBe('gossip-safe: requests: is a directory; give one AdmissionReview JSON file');
  });

  test('review of a binary file says so without echoing bytes, exit 3', async () => {
    writeFileSync(join(repo.dir, 'core.bin'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0xff, 0xfe, 0x1b, 0x5b, 0x32, 0x4a]));
    const line = expectOneLineError(await runCli(['review', 'core.bin'], { cwd: repo.dir }), 3, 'core.bin');
    expect(line).toBe('gossip-safe: core.bin: binary data, not JSON; give an AdmissionReview JSON file');
  });

  test('review of binary stdin says so too', async () => {
    const line = expectOneLineError(await runCli(['review', '-'], { input: '\u0000\u0001\u0002garbage' }), 3, '<stdin>');
    expect(line).toContain('binary data, not JSON');
  });
});

describe('manifests', () => {
  test('a duplicate mapping key is rejected as kubectl rejects it, naming file, line and key', async () => {
    const dup = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: twice\ndata:\n  a: "1"\n  a: "2"\n';
    repo.write({ 'dup/cm.yaml': dup });
    const line = expectOneLineError(await runCli(['check', '--base', 'HEAD', 'dup'], { cwd: repo.dir }), 3, 'dup/cm.yaml:7');
    expect(line).toContain('mapping key "a" already defined at line 6');
    expectOneLineError(await runCli(['inject', '-f', 'dup/cm.yaml'], { cwd: repo.dir }), 3, 'mapping key "a" already defined');
  });

  test('a duplicate key in JSON is rejected too', async () => {
    repo.write({ 'dupjson/cm.json': '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "name": "y"}}\n' });
    expectOneLineError(await runCli(['inject', '-f', 'dupjson/cm.json'], { cwd: repo.dir }), 3, 'mapping key "name" already defined at line 1');
  });
});

describe('plurals', () => {
  test('GitHub output says "1 object"', async () => {
    const res = await runCli(['check', '--base', 'HEAD', '-o', 'github', 'db'], { cwd: repo.dir });
    expect(res.stdout).toMatch(/: 1 object, /);
    expect(res.stderr).toContain('1 object in 1 file');
  });
});
