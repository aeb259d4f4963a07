#!/usr/bin/env node
import { EXIT } from './cli/exit-codes.js';
import { UsageError } from './errors.js';
import { ProfileConfigError } from './profiles/config.js';
import { GOSSIP_SAFE_VERSION } from './version.js';

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

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `gossip-safe ${GOSSIP_SAFE_VERSION}: safe restarts and upgrades for gossip datastores on Kubernetes

Usage: ${process.env['GOSSIP_SAFE_PROGRAM'] ?? 'gossip-safe'} <command> [options]

Commands:
${lines.join('\n')}

Run "${process.env['GOSSIP_SAFE_PROGRAM'] ?? 'gossip-safe'} <command> --help" for a command's options and examples.
`;
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainHelp());
    return name === undefined ? 64 : 0;
  }
  if (name === '--version' || name === 'version') {
    process.stdout.write(`${GOSSIP_SAFE_VERSION}\n`);
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
