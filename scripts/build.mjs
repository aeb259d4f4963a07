// `npm run build`: compiles src/ into dist/ and makes dist/main.js and dist/kubectl-plugin.js
// executable, so that `./dist/main.js` runs as `gossip-safe` (it starts with `#!/usr/bin/env node`).
// test/global-setup.ts runs this same script before the suites that spawn the CLI.
import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
// Every bin of package.json (gossip-safe, kubectl-gossip_safe): krew runs the plugin's file directly.
chmodSync(join(root, 'dist', 'main.js'), 0o755);
chmodSync(join(root, 'dist', 'kubectl-plugin.js'), 0o755);
