import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Builds dist/ once before the suites that run the real `gossip-safe` executable as a
 * subprocess (signals, exit codes, CLI output).
 */
export default function globalSetup(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  // The same build as `npm run build` (compile, then make dist/main.js executable).
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
}
