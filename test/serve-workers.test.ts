import type { ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { generateServingCert } from '../src/tls/dev-certs.js';
import { spawnCli } from './helpers/cli.js';
import { loadReviewText } from './helpers/fixtures.js';

/**
 * `serve --workers N` as a process: N workers on one port, /metrics adding them up, certificate
 * reload in every worker, and a SIGTERM under load that loses neither a review nor a log line
 * (logs are written asynchronously and flushed on shutdown; also checked with one process).
 */
const body = loadReviewText('pod-create-from-statefulset-cassandra.json');
let dir: string;
let child: ChildProcess | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gossip-safe-workers-'));
});
afterEach(() => {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
  rmSync(dir, { recursive: true, force: true });
});

interface Server {
  readonly child: ChildProcess;
  readonly port: number;
  readonly ca: string;
  /** Every JSON line written so far. */
  readonly lines: Record<string, unknown>[];
  /** Resolves with the exit code once stdout is closed and the process has exited. */
  readonly closed: Promise<number | null>;
}

async function startServe(workers: number): Promise<Server> {
  const proc = spawnCli(['serve', '--dev-certs', dir, '--host', '127.0.0.1', '--port', '0', '--workers', String(workers), '--drain-timeout', '10000']);
  child = proc;
  const lines: Record<string, unknown>[] = [];
  let partial = '';
  let stderr = '';
  proc.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  proc.stdout?.on('data', (c: Buffer) => {
    const parts = (partial + c.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  const closed = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
  const listening = (): Record<string, unknown>[] => lines.filter((l) => l['msg'] === 'gossip-safe webhook listening');
  const deadline = Date.now() + 30_000;
  while (listening().length < workers) {
    if (proc.exitCode !== null) throw new Error(`serve exited with ${proc.exitCode}: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`only ${listening().length} of ${workers} workers listening after 30 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const ports = new Set(listening().map((l) => l['port']));
  expect(ports.size).toBe(1);
  return { child: proc, port: [...ports][0] as number, ca: readFileSync(join(dir, 'ca.crt'), 'utf8'), lines, closed };
}

/** One request on a fresh TLS connection verified against `ca`; the served certificate too. */
function send(port: number, ca: string, method: string, path: string, payload?: string): Promise<{ status: number; text: string; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, ca, agent: false, servername: 'localhost', headers: payload === undefined ? {} : { 'content-type': 'application/json' } },
      (res) => {
        const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, fingerprint }));
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}

const admissionLines = (s: Server): Record<string, unknown>[] => s.lines.filter((l) => l['msg'] === 'admission');

test('--workers 2: both workers answer on one port, and /metrics counts the reviews of both, whichever answers', async () => {
  const s = await startServe(2);
  for (let i = 0; i < 12; i++) expect((await send(s.port, s.ca, 'POST', '/mutate?timeout=10s', body)).status).toBe(200);
  // Give the asynchronous log a moment, then: each worker answered some (connections go round-robin).
  await new Promise((r) => setTimeout(r, 300));
  const byWorker = new Set(admissionLines(s).map((l) => l['worker']));
  expect([...byWorker].sort()).toEqual([1, 2]);
  for (let i = 0; i < 4; i++) {
    const metrics = await send(s.port, s.ca, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/^gossip_safe_admissions_total\{webhook="mutate",operation="CREATE",outcome="patched"\} 12$/m);
  }
  s.child.kill('SIGTERM');
  expect(await s.closed).toBe(0);
});

test('--workers 2: a replaced certificate is served by every worker without a restart', async () => {
  const s = await startServe(2);
  const old = new X509Certificate(readFileSync(join(dir, 'tls.crt'))).fingerprint256;
  expect((await send(s.port, s.ca, 'POST', '/mutate', body)).fingerprint).toBe(old);
  const next = await generateServingCert({ cert: s.ca, key: readFileSync(join(dir, 'ca.key'), 'utf8') }, ['localhost'], ['127.0.0.1'], 30);
  const fresh = new X509Certificate(next.cert).fingerprint256;
  writeFileSync(join(dir, 'tls.key.tmp'), next.key);
  writeFileSync(join(dir, 'tls.crt.tmp'), next.cert);
  renameSync(join(dir, 'tls.key.tmp'), join(dir, 'tls.key'));
  renameSync(join(dir, 'tls.crt.tmp'), join(dir, 'tls.crt'));
  // Both workers poll the files (every 2 s); wait (bounded) until 8 new connections in a row,
  // which round-robin spreads over both workers, all get the new certificate.
  const deadline = Date.now() + 40_000;
  let streak = 0;
  while (streak < 8 && Date.now() < deadline) {
    const r = await send(s.port, s.ca, 'POST', '/mutate', body);
    expect(r.status).toBe(200);
    streak = r.fingerprint === fresh ? streak + 1 : 0;
    if (streak === 0) await new Promise((res) => setTimeout(res, 200));
  }
  expect(streak).toBe(8);
  const reloaded = new Set(s.lines.filter((l) => l['msg'] === 'serving certificate reloaded').map((l) => l['worker']));
  expect([...reloaded].sort()).toEqual([1, 2]);
  s.child.kill('SIGTERM');
  expect(await s.closed).toBe(0);
});

test('--workers 2: a worker that dies is replaced, and the port keeps answering', async () => {
  // (60 s: two worker starts on a loaded machine, and the 15 s bound below)
  const s = await startServe(2);
  const pid = s.child.pid!;
  const children = (): number[] =>
    readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter((x) => x !== '')
      .map(Number);
  const [victim] = children();
  expect(children()).toHaveLength(2);
  process.kill(victim!, 'SIGKILL');
  // Bounded: the replacement (worker 3) reports listening on the same port.
  const deadline = Date.now() + 15_000;
  while (!s.lines.some((l) => l['msg'] === 'gossip-safe webhook listening' && l['worker'] === 3) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(s.lines.find((l) => l['msg'] === 'gossip-safe webhook listening' && l['worker'] === 3)?.['port']).toBe(s.port);
  expect(s.lines.some((l) => l['msg'] === 'worker died; starting a replacement' && l['signal'] === 'SIGKILL')).toBe(true);
  expect(children()).toHaveLength(2);
  expect(children()).not.toContain(victim);
  for (let i = 0; i < 6; i++) expect((await send(s.port, s.ca, 'POST', '/mutate', body)).status).toBe(200);
  s.child.kill('SIGTERM');
  expect(await s.closed).toBe(0);
}, 60_000);

test.each([1, 2])('--workers %i: SIGTERM under load exits 0, and every answered review has its log line', async (workers) => {
  const s = await startServe(workers);
  let answered = 0;
  let stop = false;
  // Bounded load on fresh connections (4 at a time, at most 400 each) while SIGTERM arrives.
  const load = Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let i = 0; i < 400 && !stop; i++) {
        try {
          const r = await send(s.port, s.ca, 'POST', '/mutate', body);
          if (r.status === 200) answered++;
        } catch {
          return; // the server stopped accepting
        }
      }
    }),
  );
  while (answered < 40) await new Promise((r) => setTimeout(r, 10));
  s.child.kill('SIGTERM');
  const code = await s.closed;
  stop = true;
  await load;
  expect(code).toBe(0);
  expect(answered).toBeGreaterThanOrEqual(40);
  expect(admissionLines(s)).toHaveLength(answered);
  expect(s.lines.filter((l) => l['msg'] === 'drained; exiting')).toHaveLength(workers);
});
