import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project root: the nearest directory above this file with package.json and test/e2e/.
 * The harness runs both from source (in the tests) and compiled into dist-e2e/ (jest's global
 * setup and teardown, see test/e2e/setup.js), so it is found, not computed.
 */
function findProjectDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'test', 'e2e'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no project directory above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

export const PROJECT_DIR = findProjectDir();
