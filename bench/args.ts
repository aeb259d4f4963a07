import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseArgsProblem } from '../src/cli/options.js';
import { PROJECT_DIR } from './fixtures.js';

export const BENCH_HELP = `Usage: npm run bench -- [options]

Measures gossip-safe's production server (one process and --workers 2) against a bare Node
https server and a controller-runtime webhook doing the same injection, on 127.0.0.1. Prints one
table and writes the results as JSON.

Options:
  --rounds N          rounds of every load, alternating the servers (default 4)
  --seconds N         seconds of each saturating load (default 4)
  --connections N     concurrent connections of the saturating loads (default 10)
  --profile           also record a CPU profile of gossip-safe and summarize it
  --out FILE          where to write the results (default bench/results.json)
  --baseline DIR      another checkout (built: DIR/dist/main.js), measured in the same rounds
  -h, --help          this help
`;

export type BenchArgs =
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'error'; readonly message: string }
  | {
      readonly kind: 'run';
      readonly rounds: number;
      readonly seconds: number;
      readonly connections: number;
      readonly profile: boolean;
      readonly out: string;
      readonly baseline: string | undefined;
    };

/** `npm run bench -- ARGS`, checked: help, a one-line error, or what to run. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        rounds: { type: 'string', default: '4' },
        seconds: { type: 'string', default: '4' },
        connections: { type: 'string', default: '10' },
        profile: { type: 'boolean', default: false },
        out: { type: 'string', default: join(PROJECT_DIR, 'bench', 'results.json') },
        baseline: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    return { kind: 'error', message: `bench: ${parseArgsProblem(err)}; see "npm run bench -- --help"` };
  }
  if (values.help) return { kind: 'help', text: BENCH_HELP };
  const numbers: Record<'rounds' | 'seconds' | 'connections', number> = { rounds: 0, seconds: 0, connections: 0 };
  for (const name of ['rounds', 'seconds', 'connections'] as const) {
    const text = values[name];
    if (!/^[1-9][0-9]{0,5}$/.test(text)) return { kind: 'error', message: `bench: --${name} must be a positive whole number, got "${text}"` };
    numbers[name] = Number(text);
  }
  return { kind: 'run', ...numbers, profile: values.profile, out: values.out, baseline: values.baseline };
}
