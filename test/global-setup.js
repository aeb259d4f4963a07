// Builds dist/ once before the suite: the CLI tests run the built `gossip-safe` as a real
// subprocess, as users and CI jobs do.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectDir = join(dirname(fileURLToPath(import.meta.url)), '..');

export default function buildCli() {
  execFileSync(process.execPath, [join(projectDir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
    cwd: projectDir,
    stdio: 'inherit',
  });
}
