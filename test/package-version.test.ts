import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GOSSIP_SAFE_VERSION } from '../src/version.js';
import { PROJECT_DIR } from './helpers/fixtures.js';

test('the version recorded in the status annotation is the package version', () => {
  const pkg = JSON.parse(readFileSync(join(PROJECT_DIR, 'package.json'), 'utf8')) as { version: string };
  expect(GOSSIP_SAFE_VERSION).toBe(pkg.version);
});
