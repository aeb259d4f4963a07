#!/usr/bin/env node
// Regenerates manifests/overlays/match-conditions/match-conditions.yaml, and the chart's copy of
// the condition (charts/gossip-safe/files/match-condition.cel), from the profiles.
// Run through `npm run manifests:generate` (it builds dist/ first). A test checks that the
// committed file equals this output, so a profile change cannot leave the overlay stale.
//
//   npm run manifests:generate                          built-in profiles, writes the overlay
//   npm run manifests:generate -- --config FILE --stdout  your profiles config, to stdout
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { datastoreExpression, matchConditionsPatchYaml } from '../dist/manifests/match-conditions.js';
import { loadProfileSet } from '../dist/profiles/config.js';

const { values } = parseArgs({ options: { config: { type: 'string' }, stdout: { type: 'boolean' } } });
const profiles = loadProfileSet(values.config).list;
const yaml = matchConditionsPatchYaml(profiles, values.config === undefined ? 'the built-in profiles' : values.config);
if (values.stdout) {
  process.stdout.write(yaml);
} else {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const out = join(root, 'manifests', 'overlays', 'match-conditions', 'match-conditions.yaml');
  writeFileSync(out, yaml);
  process.stdout.write(`wrote ${out}\n`);
  const cel = join(root, 'charts', 'gossip-safe', 'files', 'match-condition.cel');
  writeFileSync(cel, `${datastoreExpression(profiles)}\n`);
  process.stdout.write(`wrote ${cel}\n`);
}
