// `npm run docs:paths`: writes docs/upgrade-paths.md from the built-in upgrade-path tables
// (src/profiles/upgrade-path-data.ts). test/upgrade-paths.test.ts fails until it matches.
import { writeFileSync } from 'node:fs';
import { BUILTIN_PROFILES } from '../dist/profiles/builtin.js';
import { renderUpgradePathsPage } from '../dist/profiles/upgrade-paths.js';

writeFileSync(new URL('../docs/upgrade-paths.md', import.meta.url), renderUpgradePathsPage(BUILTIN_PROFILES));
process.stdout.write('docs/upgrade-paths.md written\n');
