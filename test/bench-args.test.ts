import { BENCH_HELP, parseBenchArgs } from '../bench/args.js';

test('bench --help gives the usage, not a TypeError', () => {
  expect(parseBenchArgs(['--help'])).toEqual({ kind: 'help', text: BENCH_HELP });
  expect(parseBenchArgs(['-h'])).toEqual({ kind: 'help', text: BENCH_HELP });
  expect(BENCH_HELP).toMatch(/^Usage: npm run bench -- \[options\]/);
  for (const option of ['--rounds', '--seconds', '--connections', '--profile', '--out', '--baseline']) expect(BENCH_HELP).toContain(option);
});

test('bench options parse to numbers, with defaults', () => {
  const r = parseBenchArgs(['--rounds', '2']);
  expect(r.kind).toBe('run');
  if (r.kind !== 'run') return;
  expect({ rounds: r.rounds, seconds: r.seconds, connections: r.connections, profile: r.profile, baseline: r.baseline }).toEqual({
    rounds: 2,
    seconds: 4,
    connections: 10,
    profile: false,
    baseline: undefined,
  });
});

test('a bad bench option is one line', () => {
  expect(parseBenchArgs(['--bogus'])).toEqual({ kind: 'error', message: 'bench: unknown option --bogus; see "npm run bench -- --help"' });
  expect(parseBenchArgs(['--rounds', 'many'])).toEqual({ kind: 'error', message: 'bench: --rounds must be a positive whole number, got "many"' });
});
