// `npm run docs:rules`: writes the rule registry's table (src/validate/registry.ts) into
// docs/contract.md in place of the current one. test/validate-registry.test.ts fails until it matches.
import { readFileSync, writeFileSync } from 'node:fs';
import { renderRulesTable } from '../dist/validate/registry.js';

const file = new URL('../docs/contract.md', import.meta.url);
const lines = readFileSync(file, 'utf8').split('\n');
const start = lines.findIndex((l) => l.startsWith('| rule | severity |'));
if (start < 0) {
  process.stderr.write('readme-rules: docs/contract.md has no rules table (a line starting "| rule | severity |")\n');
  process.exit(1);
}
let end = start;
while (end < lines.length && lines[end].startsWith('|')) end++;
lines.splice(start, end - start, ...renderRulesTable().split('\n'));
writeFileSync(file, lines.join('\n'));
process.stdout.write(`docs/contract.md: rules table written (${end - start - 2} rows before, ${renderRulesTable().split('\n').length - 2} now)\n`);
