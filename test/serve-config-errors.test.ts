import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevCertificates } from '../src/tls/dev-certs.js';
import { runCli } from './helpers/cli.js';

/**
 * Issue 23, findings 4 and 5: configuration and environment errors are the operator's to fix,
 * not bugs. Each exits 64 (usage) or 1 (environment) with one line and no stack trace; on main
 * they exited 70 with a stack trace, and with --workers 2 a bad key hung the process forever.
 */
let dir: string;
let blocker: Server | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gossip-safe-config-'));
});
afterEach(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (blocker !== undefined) await new Promise((r) => blocker!.close(r));
  blocker = undefined;
});

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

async function portInUse(): Promise<number> {
  blocker = createServer();
  await new Promise<void>((r) => blocker!.listen(0, '127.0.0.1', r));
  return (blocker.address() as { port: number }).port;
}

test('a port in use exits 1 with one line', async () => {
  const port = await portInUse();
  const run = await runCli(['serve', '--dev-certs', dir, '--host', '127.0.0.1', '--port', String(port)]);
  expect(run.code).toBe(1);
  expect(oneLine(run.stderr)).toMatch(new RegExp(`^gossip-safe: cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
});

test('an unresolvable host exits 1 with one line', async () => {
  const run = await runCli(['serve', '--dev-certs', dir, '--host', 'no-such-host.invalid', '--port', '0']);
  expect(run.code).toBe(1);
  expect(oneLine(run.stderr)).toMatch(/^gossip-safe: cannot listen on no-such-host\.invalid:0: /);
});

test('an invalid log level is a usage error (64) naming the levels', async () => {
  const run = await runCli(['serve', '--dev-certs', dir, '--port', '0', '--log-level', 'loud']);
  expect(run.code).toBe(64);
  expect(oneLine(run.stderr)).toMatch(/^gossip-safe: serve: --log-level must be one of trace, debug, info, warn, error, fatal, silent; got "loud"/);
});

test('--workers 2 with a bad key exits 1 with one line instead of hanging', async () => {
  const certs = await ensureDevCertificates(dir);
  writeFileSync(certs.keyFile, '');
  const run = await runCli(['serve', '--tls-cert-file', certs.certFile, '--tls-key-file', certs.keyFile, '--host', '127.0.0.1', '--port', '0', '--workers', '2'], { timeoutMs: 20_000 });
  expect(run.code).toBe(1);
  expect(oneLine(run.stderr)).toMatch(/cannot load the serving certificate .*tls\.key holds no PEM private key/);
});

test('--workers 2 on a port in use: a worker that cannot start stops the whole process, exit 1', async () => {
  const port = await portInUse();
  const run = await runCli(['serve', '--dev-certs', dir, '--host', '127.0.0.1', '--port', String(port), '--workers', '2'], { timeoutMs: 20_000 });
  expect(run.code).toBe(1);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.stderr).toMatch(/cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
  expect(run.stdout).toMatch(/could not start/);
});
