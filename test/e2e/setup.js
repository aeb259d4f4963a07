// Jest global setup and teardown of the e2e suite. Jest loads these outside its module system,
// where TypeScript sources with `.js` import specifiers do not resolve, so this file builds
// dist/ (the gossip-safe executable the suite runs) and compiles global-setup.ts and
// global-teardown.ts with their harness into dist-e2e/, then runs the compiled code.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

export function compiled(name) {
  return import(pathToFileURL(join(root, 'dist-e2e', 'test', 'e2e', `${name}.js`)).href);
}

export default async function setup() {
  for (const project of ['tsconfig.build.json', join('test', 'e2e', 'tsconfig.json')]) {
    execFileSync(process.execPath, [tsc, '-p', join(root, project)], { cwd: root, stdio: 'inherit' });
  }
  const { default: globalSetup } = await compiled('global-setup');
  await globalSetup();
}
