import { jest } from '@jest/globals';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runCheck } from '../../src/cli/check.js';
import { runInject } from '../../src/cli/inject.js';
import { UsageError } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';
import { confusedManifest, workload, type Json } from './arbitraries.js';

/**
 * The CLI never exits 70 ("a bug") on type-confused manifests: `inject`, `inject --base`,
 * `check` and `check --assume-injection`. In-process for the bulk (an exception other than a
 * UsageError is what main.ts turns into exit 70), and a sample through the built executable.
 */
const SEED = Number(process.env['FC_SEED'] ?? 20261130);
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gossip-safe-cli-property-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a command in-process with stdout and stderr captured; returns its exit code as main.ts would. */
async function exitCodeOf(run: (argv: readonly string[]) => Promise<number>, argv: readonly string[]): Promise<number> {
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return await run(argv);
  } catch (e) {
    if (e instanceof UsageError) return e.exitCode;
    return 70;
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

function write(name: string, value: Json, asJson: boolean): string {
  const file = join(dir, `${name}.${asJson ? 'json' : 'yaml'}`);
  writeFileSync(file, asJson ? JSON.stringify(value, null, 2) : `# generated\n${stringify(value)}`);
  return file;
}

/** A base and a head manifest of the same object (named alike), either of them type-confused. */
const pair = fc.tuple(workload, confusedManifest, fc.boolean(), fc.boolean()).map(([base, head, headFirst, asJson]) => {
  const named = (m: Json): Json =>
    typeof m === 'object' && m !== null && !Array.isArray(m) ? { ...m, metadata: typeof m['metadata'] === 'object' ? { ...(m['metadata'] as object), name: 'db', namespace: 'prod' } : m['metadata'] ?? null } : m;
  const cleanBase = JSON.parse(JSON.stringify({ ...base, status: {} })) as Json;
  return headFirst ? { base: cleanBase, head: named(head), asJson } : { base: named(head), head: named(cleanBase), asJson };
});

test('in-process: inject and check never fail with an unexpected error on type-confused manifests', async () => {
  const codes = new Map<string, number>();
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(pair, async ({ base, head, asJson }) => {
      runs++;
      const baseFile = write('base', base, asJson);
      const headFile = write('head', head, asJson);
      for (const [name, run, argv] of [
        ['inject', runInject, ['-f', headFile]],
        ['inject --base', runInject, ['-f', headFile, '--base', baseFile]],
        ['check', runCheck, ['--base', baseFile, headFile]],
        ['check --assume-injection', runCheck, ['--base', baseFile, '--assume-injection', '-o', 'sarif', headFile]],
      ] as const) {
        const code = await exitCodeOf(run, argv);
        codes.set(`${name}: ${code}`, (codes.get(`${name}: ${code}`) ?? 0) + 1);
        if (code === 70) throw new Error(`${name} would exit 70`);
      }
    }),
    { numRuns: 300, seed: SEED, endOnFailure: true },
  );
  expect(runs).toBe(300);
  // Both outcomes are exercised: manifests gossip-safe reads, and ones it reports as bad input.
  expect([...codes.keys()].some((k) => k.startsWith('check: 0') || k.startsWith('check: 2'))).toBe(true);
});

test('the built executable: never exit 70 (a sample)', async () => {
  const samples = fc.sample(pair, { numRuns: 8, seed: SEED });
  for (const [i, { base, head, asJson }] of samples.entries()) {
    const baseFile = write(`sample-base-${i}`, base, asJson);
    const headFile = write(`sample-head-${i}`, head, asJson);
    for (const args of [
      ['inject', '-f', headFile],
      ['check', '--base', baseFile, '--assume-injection', headFile],
    ]) {
      const run = await runCli(args, { timeoutMs: 30_000 });
      // The stack trace of a crash is the useful part of a failure.
      expect(run.code === 70 ? run.stderr : run.code).toEqual(expect.any(Number));
      expect([0, 1, 2, 3]).toContain(run.code);
    }
  }
});
