#!/usr/bin/env node
import { CERTS_HELP, runCerts } from './cli/certs.js';
import { runServe, SERVE_HELP } from './cli/serve.js';
import { UsageError } from './cli/usage-error.js';
import { ProfileConfigError } from './profiles/config.js';
import { GOSSIP_SAFE_VERSION } from './version.js';

interface Command {
  readonly summary: string;
  readonly help: string;
  run(argv: readonly string[]): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  serve: { summary: 'run the admission webhook over HTTPS', help: SERVE_HELP, run: runServe },
  certs: { summary: 'create or renew the webhook certificate and caBundle in a cluster', help: CERTS_HELP, run: runCerts },
};

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `gossip-safe ${GOSSIP_SAFE_VERSION}: safe restarts and upgrades for gossip datastores on Kubernetes

Usage: gossip-safe <command> [options]

Commands:
${lines.join('\n')}

Run "gossip-safe <command> --help" for a command's options and examples.
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
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.help);
    return 0;
  }
  return command.run(rest);
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
    process.exitCode = 1;
  },
);
