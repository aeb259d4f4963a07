// One runtime (README "Quick start", docs/install.md): the tests, CI and the image run the Node.js
// that scripts/tools/node.sh pins, and package.json says so.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_DIR } from './helpers/fixtures.js';

const read = (path: string): string => readFileSync(join(PROJECT_DIR, path), 'utf8');

function pinnedNode(): string {
  const m = /^NODE_VERSION=(\d+\.\d+\.\d+)$/m.exec(read('scripts/tools/node.sh'));
  if (m?.[1] === undefined) throw new Error('scripts/tools/node.sh has no NODE_VERSION=x.y.z line');
  return m[1];
}

const major = (v: string): string => v.replace(/^v/, '').split('.')[0] ?? '';

interface Pkg {
  readonly engines: { readonly node: string };
  readonly devDependencies: Record<string, string>;
}
const pkg = JSON.parse(read('package.json')) as Pkg;

test('the suite runs on the Node.js major that scripts/tools/node.sh pins', () => {
  const pinned = pinnedNode();
  // On failure: export PATH="$(bash scripts/tools/node.sh):$PATH" and run npm ci && npm test again.
  expect(`node ${major(process.version)}`).toBe(`node ${major(pinned)}`);
});

test('package.json engines names the tested Node.js major and version, @types/node matches it exactly', () => {
  const pinned = pinnedNode();
  expect(pkg.engines.node).toBe(`^${pinned}`);
  expect(pkg.devDependencies['@types/node']).toMatch(new RegExp(`^${major(pinned)}\\.\\d+\\.\\d+$`));
});
