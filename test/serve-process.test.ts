import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, type Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent as HttpsAgent } from 'node:https';
import type { AdmissionReviewResponse } from '../src/admission/types.js';
import { runCli, spawnCli } from './helpers/cli.js';
import { loadReviewText } from './helpers/fixtures.js';

const body = loadReviewText('pod-create-generatename-serf.json');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gossip-safe-serve-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Waits for the server's "listening" log line and returns its port (bounded). */
function listeningPort(child: ChildProcess, timeoutMs = 15_000): Promise<number> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${buffered}`)), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      for (const line of buffered.split('\n')) {
        if (line.includes('"gossip-safe webhook listening"')) {
          clearTimeout(timer);
          resolve((JSON.parse(line) as { port: number }).port);
        }
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${buffered}`)));
  });
}

function exitOf(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not exit after SIGTERM')), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

interface Reply {
  status: number;
  text: string;
}

/** Starts a review and sends only the first half of its body; `finish()` sends the rest. */
function halfSentReview(port: number, ca: string): Promise<{ finish(): Promise<Reply> }> {
  return new Promise((resolveStarted, rejectStarted) => {
    let resolveReply: (r: Reply) => void = () => undefined;
    let rejectReply: (e: Error) => void = () => undefined;
    const reply = new Promise<Reply>((res, rej) => {
      resolveReply = res;
      rejectReply = rej;
    });
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path: '/mutate?timeout=10s', ca, servername: 'localhost', agent: false, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolveReply({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', (err) => {
      rejectStarted(err);
      rejectReply(err);
    });
    const half = Math.floor(body.length / 2);
    req.write(body.slice(0, half), () =>
      resolveStarted({
        finish: () => {
          req.end(body.slice(half));
          return reply;
        },
      }),
    );
  });
}

test('SIGTERM during a load: in-flight reviews complete, the server stops accepting and exits 0', async () => {
  const child = spawnCli(['serve', '--dev-certs', dir, '--host', '127.0.0.1', '--port', '0', '--drain-timeout', '10000']);
  const exited = exitOf(child, 30_000);
  try {
    const port = await listeningPort(child);
    const ca = readFileSync(join(dir, 'ca.crt'), 'utf8');

    // Background load on keep-alive connections, bounded in count and time.
    const agent: Agent = new HttpsAgent({ keepAlive: true, ca, servername: 'localhost' });
    let stop = false;
    const replies: number[] = [];
    const errors: string[] = [];
    const load = Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let i = 0; i < 2000 && !stop; i++) {
          try {
            const status = await new Promise<number>((resolve, reject) => {
              const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/mutate', agent, headers: { 'content-type': 'application/json' } }, (res) => {
                res.resume();
                res.on('end', () => resolve(res.statusCode ?? 0));
              });
              req.on('error', reject);
              req.end(body);
            });
            replies.push(status);
          } catch (err) {
            errors.push((err as NodeJS.ErrnoException).code ?? String(err));
            return; // the server is gone for this worker
          }
        }
      }),
    );

    const inFlight = await Promise.all(Array.from({ length: 5 }, () => halfSentReview(port, ca)));
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    const answers = await Promise.all(inFlight.map((r) => r.finish()));
    stop = true;
    await load;
    agent.destroy();

    for (const a of answers) {
      expect(a.status).toBe(200);
      expect((JSON.parse(a.text) as AdmissionReviewResponse).response.allowed).toBe(true);
    }
    expect(replies.length).toBeGreaterThan(0);
    expect(replies.every((s) => s === 200)).toBe(true);
    // Workers that raced the shutdown may only see the listener gone, never a broken reply.
    for (const e of errors) expect(['ECONNREFUSED', 'ECONNRESET', 'EPIPE']).toContain(e);
    expect(await exited).toBe(0);
  } finally {
    child.kill('SIGKILL');
  }
}, 60_000);

test('a bad profiles config stops the server at start with a message naming the field', async () => {
  const config = join(dir, 'profiles.yaml');
  writeFileSync(config, 'profiles:\n  serf:\n    minGraceSeconds: soon\n');
  const run = await runCli(['serve', '--dev-certs', dir, '--port', '0', '--config', config]);
  expect(run.code).toBe(1);
  expect(run.stderr.trim()).toBe(`gossip-safe: ${config}: profiles.serf.minGraceSeconds: must be a whole number of seconds from 0 to 86400, got "soon"`);
  expect(run.stderr).not.toMatch(/\n\s+at /);
});

test('missing certificate files stop the server with a one-line reason', async () => {
  const run = await runCli(['serve', '--tls-cert-file', join(dir, 'nope.crt'), '--tls-key-file', join(dir, 'nope.key'), '--port', '0']);
  expect(run.code).toBe(1);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(/cannot load the serving certificate .*nope\.crt.*ENOENT/);
});

test('an unknown option is a usage error', async () => {
  const run = await runCli(['serve', '--prot', '8443']);
  expect(run.code).toBe(64);
  expect(run.stderr).toMatch(/^gossip-safe: serve: unknown option --prot; see "gossip-safe serve --help"$/m);
});

// Rough edge: serve listened on IPv4 0.0.0.0 only, although the development certificate names ::1.
test('serve listens on :: by default (IPv6 and IPv4), and answers on ::1 with the development certificate', async () => {
  const { parseServeConfig } = await import('../src/cli/serve.js');
  expect(parseServeConfig([], {}).host).toBe('::');
  // Tests bind loopback only: ::1 stands in for ::.
  const child = spawnCli(['serve', '--dev-certs', dir, '--host', '::1', '--port', '0']);
  const exited = exitOf(child, 30_000);
  try {
    const port = await listeningPort(child);
    const ca = readFileSync(join(dir, 'ca.crt'), 'utf8');
    const status = await new Promise<number>((resolve, reject) => {
      // No servername: the certificate must name the IP address ::1 itself.
      const req = request({ host: '::1', port, method: 'GET', path: '/healthz', ca, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
      req.end();
    });
    expect(status).toBe(200);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
});
