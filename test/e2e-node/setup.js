// Jest global setup and teardown of the real-node e2e suite, as test/e2e/setup.js: builds dist/
// and compiles global-setup.ts and global-teardown.ts with their harness into dist-e2e/.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

export function compiled(name) {
  return import(pathToFileURL(join(root, 'dist-e2e', 'test', 'e2e-node', `${name}.js`)).href);
}

export default async function setup() {
  for (const project of ['tsconfig.build.json', join('test', 'e2e-node', 'tsconfig.json')]) {
    execFileSync(process.execPath, [tsc, '-p', join(root, project)], { cwd: root, stdio: 'inherit' });
  }
  const { default: globalSetup } = await compiled('global-setup');
  await globalSetup();
}
