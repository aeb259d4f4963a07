import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GOSSIP_SAFE_VERSION } from '../../src/version.js';
import { CLI } from '../helpers/cli.js';
import { PROJECT_DIR } from '../helpers/fixtures.js';

// Rough edge: after a build, dist/main.js was not executable; the README never said how to put
// gossip-safe on PATH; docs/ci.md cloned a tag that does not exist.
test('the built dist/main.js runs as a program (test/global-setup.ts runs the build script)', () => {
  expect(execFileSync(CLI, ['--version'], { encoding: 'utf8', timeout: 20_000 }).trim()).toBe(GOSSIP_SAFE_VERSION);
});

test('the README says how to put gossip-safe on PATH', () => {
  const readme = readFileSync(join(PROJECT_DIR, 'README.md'), 'utf8');
  expect(readme).toMatch(/npm install --global \./);
});

test('docs/ci.md clones no tag or branch by name (none is published); it pins a commit', () => {
  const doc = readFileSync(join(PROJECT_DIR, 'docs', 'ci.md'), 'utf8');
  expect(doc).not.toMatch(/git clone[^\n]*--branch/);
  expect(doc).toMatch(/GOSSIP_SAFE_COMMIT/);
});
