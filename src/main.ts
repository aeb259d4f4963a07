#!/usr/bin/env node
import { EXIT } from './cli/exit-codes.js';
import { UsageError } from './errors.js';
import { ProfileConfigError } from './profiles/config.js';
import { GOSSIP_SAFE_VERSION } from './version.js';
import type { CompletionCommand } from './cli/completion.js';

interface LoadedCommand {
  readonly help: string;
  run(argv: readonly string[]): Promise<number>;
}

interface Command {
  readonly summary: string;
  /** Imported on use, so the offline commands in CI never load the HTTP server's modules. */
  load(): Promise<LoadedCommand>;
}

const COMMANDS: Record<string, Command> = {
  serve: {
    summary: 'run the admission webhook over HTTPS',
    load: async () => import('./cli/serve.js').then((m) => ({ help: m.SERVE_HELP, run: m.runServe })),
  },
  certs: {
    summary: 'create or renew the webhook certificate and caBundle in a cluster',
    load: async () => import('./cli/certs.js').then((m) => ({ help: m.CERTS_HELP, run: m.runCerts })),
  },
  check: {
    summary: "offline: the validating webhook's verdict on base..head manifest changes (CI)",
    load: async () => import('./cli/check.js').then((m) => ({ help: m.CHECK_HELP, run: m.runCheck })),
  },
  inject: {
    summary: 'offline: write manifests back with the injection applied',
    load: async () => import('./cli/inject.js').then((m) => ({ help: m.INJECT_HELP, run: m.runInject })),
  },
  audit: {
    summary: 'read-only: audit the datastore workloads and pods running in a cluster (PolicyReports)',
    load: async () => import('./cli/audit.js').then((m) => ({ help: m.AUDIT_HELP, run: (argv) => m.runAudit(argv) })),
  },
  review: {
    summary: 'offline: the response the webhook gives to a recorded AdmissionReview',
    load: async () => import('./cli/review.js').then((m) => ({ help: m.REVIEW_HELP, run: (argv) => m.runReview(argv) })),
  },
};

const PROGRAM = (): string => process.env['GOSSIP_SAFE_PROGRAM'] ?? 'gossip-safe';

/** Built into this file: they need the command table itself. */
const BUILTINS: Record<string, string> = {
  help: 'show the help of gossip-safe or of one command (help COMMAND)',
  completion: 'print a shell completion script (bash, zsh or fish)',
};

function mainHelp(): string {
  const all = { ...Object.fromEntries(Object.entries(COMMANDS).map(([n, c]) => [n, c.summary])), ...BUILTINS };
  const width = Math.max(...Object.keys(all).map((c) => c.length));
  const lines = Object.entries(all).map(([name, summary]) => `  ${name.padEnd(width)}  ${summary}`);
  return `gossip-safe ${GOSSIP_SAFE_VERSION}: safe restarts and upgrades for gossip datastores on Kubernetes

Usage: ${PROGRAM()} <command> [options]

Commands:
${lines.join('\n')}

Run "${PROGRAM()} help <command>" or "${PROGRAM()} <command> --help" for a command's options and examples.
`;
}

const HELP_HELP = `Usage: gossip-safe help [COMMAND]

Prints the help of COMMAND (the same as "gossip-safe COMMAND --help"), or of gossip-safe.

Exit codes:
  0   the help was printed
  64  usage error: an unknown command
`;

async function helpOf(name: string): Promise<string> {
  if (name === 'help') return HELP_HELP;
  if (name === 'completion') return (await import('./cli/completion.js')).COMPLETION_HELP;
  const command = COMMANDS[name];
  if (command === undefined) throw new UsageError(`help: unknown command "${name}"; run "${PROGRAM()} --help" for the list`);
  return (await command.load()).help;
}

/** What completion offers: every command with the options its help lists, and fixed option values. */
async function completionCommands(): Promise<CompletionCommand[]> {
  const { optionsFromHelp } = await import('./cli/completion.js');
  const { OUTPUT_FORMATS } = await import('./cli/check-report.js');
  const { AUDIT_OUTPUT_FORMATS } = await import('./audit/report.js');
  const modes = ['enforce', 'warn'];
  const values: Record<string, Record<string, readonly string[]>> = {
    check: { output: OUTPUT_FORMATS, mode: modes },
    review: { mode: modes },
    audit: { output: AUDIT_OUTPUT_FORMATS },
    serve: { 'log-level': ['trace', 'debug', 'info', 'warn', 'error', 'silent'] },
  };
  const names = [...Object.keys(COMMANDS), ...Object.keys(BUILTINS)];
  const loaded = await Promise.all(
    Object.entries(COMMANDS).map(async ([name, c]) => ({ name, summary: c.summary, options: optionsFromHelp((await c.load()).help, values[name]) })),
  );
  return [
    ...loaded,
    { name: 'help', summary: BUILTINS['help']!, options: [], words: names },
    { name: 'completion', summary: BUILTINS['completion']!, options: [], words: ['bash', 'zsh', 'fish'] },
  ];
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || (name === 'help' && rest.length === 0)) {
    process.stdout.write(mainHelp());
    return name === undefined ? 64 : 0;
  }
  if (name === '--version' || name === 'version') {
    process.stdout.write(`${GOSSIP_SAFE_VERSION}\n`);
    return 0;
  }
  if (name === 'help') {
    if (rest.length > 1) throw new UsageError(`help: one command at a time, got ${rest.length}`);
    process.stdout.write(await helpOf(rest[0]!));
    return 0;
  }
  if (name === 'completion') {
    const { completionScript, COMPLETION_HELP } = await import('./cli/completion.js');
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(COMPLETION_HELP);
      return 0;
    }
    if (rest.length > 1) throw new UsageError('completion: give one shell: bash, zsh or fish');
    const shell = rest[0];
    // For the gossip-safe executable; kubectl completes its plugins by its own mechanism.
    const script = completionScript(shell, 'gossip-safe', shell === 'bash' || shell === 'zsh' || shell === 'fish' ? await completionCommands() : []);
    process.stdout.write(script);
    return 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) throw new UsageError(`unknown command "${name}"; run "gossip-safe --help"`);
  const loaded = await command.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(loaded.help);
    return 0;
  }
  return loaded.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError || err instanceof ProfileConfigError) {
      process.stderr.write(`gossip-safe: ${err.message}\n`);
      process.exitCode = err instanceof UsageError ? err.exitCode : 1;
      return;
    }
    process.stderr.write(`gossip-safe: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    // Not 1: for check, 1 means "warnings with --fail-on-warn"; a crash must not look like that.
    process.exitCode = EXIT.software;
  },
);
