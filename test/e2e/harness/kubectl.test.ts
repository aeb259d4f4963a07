import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubectlOk, runKubectl } from './kubectl.js';

// A kubectl that exits at once, before reading its stdin (as kubectl does on a bad flag or an
// unreachable server). Writing a large manifest to it then fails with EPIPE; the harness must
// report kubectl's own exit code and error, not crash on the broken pipe.
let dir: string;
let fake: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gs-kubectl-'));
  fake = join(dir, 'kubectl');
  writeFileSync(fake, '#!/bin/sh\necho "error: unknown flag: --bogus" >&2\nexit 1\n');
  chmodSync(fake, 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bigManifest = 'x'.repeat(8 * 1024 * 1024);

test('a kubectl that exits before reading stdin gives its exit code and stderr, not EPIPE', async () => {
  const run = await runKubectl(fake, '/dev/null', ['apply', '-f', '-'], bigManifest);
  expect(run.code).toBe(1);
  expect(run.stderr).toBe('error: unknown flag: --bogus\n');
});

test('kubectlOk reports kubectl\'s own error when it exits early', async () => {
  await expect(kubectlOk(fake, '/dev/null', ['apply', '-f', '-'], bigManifest)).rejects.toThrow(
    'kubectl apply -f - exited 1: error: unknown flag: --bogus',
  );
});
