import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { premigrateScript } from '../src/premigrate/index.js';
import { BUILTIN_PROFILES } from '../src/profiles/builtin.js';
import type { PremigrateScriptKind } from '../src/profiles/types.js';
import { expectGoldenText } from './helpers/golden.js';

/**
 * The generated pre-migration scripts are checked by shellcheck (Debian package `shellcheck`,
 * installed by .ci/run) as POSIX sh, at every severity, and kept as one golden file per profile
 * (test/golden/premigrate/<profile>.sh) so that every change to them is reviewed as a diff.
 */
const PROFILES = BUILTIN_PROFILES.filter((p): p is typeof p & { premigrateScript: PremigrateScriptKind } => p.premigrateScript !== undefined);

function scriptOf(profile: (typeof PROFILES)[number]): string {
  return premigrateScript(profile.premigrateScript, { dataDirs: profile.dataDirs, timeoutSeconds: 600 });
}

test('the built-in profiles with a pre-migration script are the ones with golden files', () => {
  expect(PROFILES.map((p) => p.name)).toEqual(['cassandra', 'scylla']);
});

describe.each(PROFILES.map((p) => [p.name, p] as const))('%s pre-migration script', (name, profile) => {
  test('shellcheck -s sh finds nothing, at any severity', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gs-shellcheck-'));
    try {
      const file = join(dir, `${name}.sh`);
      writeFileSync(file, scriptOf(profile));
      const res = spawnSync('shellcheck', ['--shell=sh', '--severity=style', '--format=gcc', file], { encoding: 'utf8', timeout: 60_000 });
      if (res.error !== undefined) throw new Error(`shellcheck could not run (${res.error.message}); install the Debian package shellcheck (.ci/run does)`);
      expect({ status: res.status, findings: res.stdout.split('\n').filter((l) => l !== '') }).toEqual({ status: 0, findings: [] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('matches its golden file (UPDATE_GOLDEN=1 rewrites it; review the diff)', () => {
    expectGoldenText(`premigrate/${name}.sh`, scriptOf(profile));
  });
});
