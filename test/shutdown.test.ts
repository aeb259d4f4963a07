import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from './helpers/cli.js';
import { PROJECT_DIR, loadReviewText } from './helpers/fixtures.js';
import { toolPath } from './helpers/lab-process.js';

/**
 * Issue 23, finding 3: on SIGTERM the server closed its listener and its idle keep-alive
 * sockets at once, so a request the client had just written on a reused connection was lost;
 * Go's HTTP client, which the apiserver uses, does not retry such a POST. The client here is Go's
 * net/http (test/shutdown-client): 32 keep-alive connections send reviews while the server gets
 * SIGTERM and keeps sending for a moment after it, as the apiserver does until the endpoint
 * removal reaches it. Every request must get its 200, and the server must exit 0.
 */
const client = toolPath(join(PROJECT_DIR, 'scripts', 'tools', 'shutdown-client.sh'), 300_000);

/** Resolves with the first line of `proc`'s stdout that matches, bounded by `timeoutMs`. */
function lineMatching(proc: ChildProcess, pattern: RegExp, timeoutMs: number, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`${what}: no line matching ${pattern} within ${timeoutMs} ms: ${buffered.slice(-2000)}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString('utf8');
      const line = buffered.split('\n').find((l) => pattern.test(l));
      if (line !== undefined) {
        clearTimeout(timer);
        proc.stdout?.off('data', onData);
        resolve(line);
      }
    };
    proc.stdout?.on('data', onData);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before ${pattern}: ${buffered.slice(-2000)}`));
    });
  });
}

function exitOf(proc: ChildProcess, timeoutMs: number, what: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (proc.exitCode !== null) {
      resolve(proc.exitCode);
      return;
    }
    const timer = setTimeout(() => reject(new Error(`${what} did not exit within ${timeoutMs} ms`)), timeoutMs);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

interface Summary {
  sent: number;
  ok: number;
  failed: number;
  errors: string[] | null;
  closedByServer: number;
}

test('SIGTERM while 32 Go keep-alive connections send reviews: no request is lost, the server exits 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gossip-safe-shutdown-'));
  const body = join(dir, 'review.json');
  writeFileSync(body, loadReviewText('pod-create-from-statefulset-cassandra.json'));
  const server = spawn(process.execPath, [CLI, 'serve', '--dev-certs', dir, '--host', '127.0.0.1', '--port', '0', '--drain-delay', '5000', '--log-level', 'info'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Always read the server's log, so its stdout never fills up.
  server.stdout.on('data', () => undefined);
  let load: ChildProcess | undefined;
  try {
    const listening = await lineMatching(server, /"gossip-safe webhook listening"|"ready"/, 20_000, 'server');
    const port = (JSON.parse(listening) as { port?: number; url?: string }).port ?? Number(/:(\d+)$/.exec((JSON.parse(listening) as { url: string }).url)?.[1]);
    load = spawn(client, ['-url', `https://127.0.0.1:${port}/mutate?timeout=10s`, '-ca', join(dir, 'ca.crt'), '-body', body, '-conns', '32'], { stdio: ['pipe', 'pipe', 'inherit'] });
    await lineMatching(load, /^warm$/, 20_000, 'client');
    const draining = lineMatching(server, /"draining/, 10_000, 'server');
    server.kill('SIGTERM');
    await draining;
    // The apiserver keeps using its connections until the endpoint removal reaches it; the
    // client goes on for a while after SIGTERM (well inside the 5 s drain delay), then stops.
    await new Promise((r) => setTimeout(r, 1_000));
    const summaryLine = lineMatching(load, /^\{/, 30_000, 'client');
    load.stdin?.end('stop\n');
    const summary = JSON.parse(await summaryLine) as Summary;
    process.stdout.write(`shutdown test: ${JSON.stringify(summary)}\n`);
    expect(summary.errors ?? []).toEqual([]);
    expect(summary.failed).toBe(0);
    expect(summary.ok).toBe(summary.sent);
    // Draining answers carried "Connection: close" (the connections were closed between requests).
    expect(summary.closedByServer).toBeGreaterThanOrEqual(32);
    expect(await exitOf(server, 30_000, 'server')).toBe(0);
  } finally {
    load?.kill('SIGKILL');
    server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
