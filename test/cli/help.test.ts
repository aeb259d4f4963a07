import { INJECT_HELP, INJECT_OPTIONS } from '../../src/cli/inject.js';

// Rough edge: `inject --help` listed exit codes 1 and 2 and --fail-on-warn, which belong to check.
test('inject --help names only the options inject takes', () => {
  const named = new Set([...INJECT_HELP.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]!));
  expect([...named].sort()).toEqual(Object.keys(INJECT_OPTIONS).sort());
});

test('inject --help lists only the exit codes inject returns', () => {
  const section = INJECT_HELP.slice(INJECT_HELP.indexOf('Exit codes:'));
  const codes = [...section.matchAll(/^\s+(\d+)\s/gm)].map((m) => Number(m[1]));
  expect(codes).toEqual([0, 3, 64, 70]);
});
