import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { ensureDevCertificates } from '../src/tls/dev-certs.js';
import { LOAD_BODIES, PROJECT_DIR, recordedReviews, type BodyName } from './fixtures.js';
import type { InProcessResults } from './in-process.js';
import { runLoad, type LoadResult } from './load.js';
import { peakRssBytes, startServerProcess, type ServerProcess } from './processes.js';
import { summarizeProfile } from './profile.js';
import { renderTable, evaluateTargets, type BenchResults, type ThroughputFigures } from './report.js';
import { stressPod, stressRequest } from './stress-pod.js';

/**
 * `npm run bench`: gossip-safe's production server (dist/main.js) against a bare Node https
 * server, both in their own processes on 127.0.0.1, driven by autocannon from this process.
 * Every load is bounded in requests and in time. Prints one table; writes bench/results.json.
 */
const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10' },
    profile: { type: 'boolean', default: false },
    out: { type: 'string', default: join(PROJECT_DIR, 'bench', 'results.json') },
  },
});
const ROUNDS = Number(opts.rounds);
const SECONDS = Number(opts.seconds);
const CONNECTIONS = Number(opts.connections);
/** Requests cap for a saturating run: far above what 2 cores can answer in SECONDS. */
const MAX_SATURATING = 60_000 * SECONDS;
const FIXED_RATE = 1000;
const FIXED_SECONDS = 8;
const RSS_AFTER = 100_000;

const execFileAsync = promisify(execFile);
const log = (text: string): void => void process.stderr.write(`bench: ${text}\n`);

async function main(): Promise<void> {
  const startedAt = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'gossip-safe-bench-'));
  const servers: ServerProcess[] = [];
  try {
    const certs = await ensureDevCertificates(join(dir, 'certs'));
    const ca = readFileSync(certs.caFile, 'utf8');
    const recorded = new Map(recordedReviews().map((r) => [r.file, r.text] as const));
    const bodyOf = (file: string): string => {
      const text = recorded.get(file);
      if (text === undefined) throw new Error(`recorded review ${file} is missing`);
      return text;
    };
    const bodies = Object.fromEntries(Object.entries(LOAD_BODIES).map(([name, file]) => [name, bodyOf(file)])) as Record<BodyName, string>;

    log('in-process cost of every endpoint on every recorded review, and the stress pod');
    const inProcess = JSON.parse(
      (await execFileAsync(process.execPath, [join(PROJECT_DIR, 'dist-bench', 'bench', 'in-process.js')], { maxBuffer: 16 << 20 })).stdout,
    ) as InProcessResults;

    // Kept after the run (outside the temp dir) so it can be opened in Chrome DevTools.
    const profileDir = join(tmpdir(), `gossip-safe-bench-profile-${Date.now()}`);
    const ours = await startServerProcess(
      'gossip-safe',
      [
        ...(opts.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []),
        join(PROJECT_DIR, 'dist', 'main.js'),
        'serve',
        '--host', '127.0.0.1',
        '--port', '0',
        '--tls-cert-file', certs.certFile,
        '--tls-key-file', certs.keyFile,
      ],
      join(dir, 'gossip-safe.log'),
      (line) => (line['msg'] === 'gossip-safe webhook listening' && typeof line['port'] === 'number' ? line['port'] : undefined),
    );
    servers.push(ours);
    const bare = await startServerProcess(
      'bare https',
      [join(PROJECT_DIR, 'dist-bench', 'bench', 'bare-server.js'), '--cert', certs.certFile, '--key', certs.keyFile],
      join(dir, 'bare.log'),
      (line) => (typeof line['port'] === 'number' ? line['port'] : undefined),
    );
    servers.push(bare);
    const url = (s: ServerProcess, path: string): string => `https://127.0.0.1:${s.port}${path}`;
    const target = { ours: (s: ServerProcess) => url(s, '/mutate'), bare: (s: ServerProcess) => url(s, '/') };
    let oursRequests = 0;
    const load = async (server: ServerProcess, path: string, body: string, extra: { seconds: number; maxRequests: number; rate?: number }): Promise<LoadResult> => {
      const result = await runLoad({ url: path, body, connections: CONNECTIONS, serverPid: server.pid, ...extra });
      if (server === ours) oursRequests += result.requests;
      if (result.errors > 0 || result.non2xx > 0) throw new Error(`${server.name}: ${result.errors} errors, ${result.non2xx} non-2xx responses`);
      return result;
    };

    // Both servers must answer correctly, over a verified TLS connection, before any load.
    for (const body of Object.values(bodies)) {
      const uid = (JSON.parse(body) as { request: { uid: string } }).request.uid;
      for (const [server, path] of [[ours, target.ours(ours)], [bare, target.bare(bare)]] as const) {
        const answer = JSON.parse(await post(path, body, ca)) as { response?: { uid?: string; allowed?: boolean } };
        if (answer.response?.uid !== uid || answer.response.allowed !== true) throw new Error(`${server.name} answered ${JSON.stringify(answer)}`);
      }
    }
    const stressBody = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: stressRequest(stressPod()) });
    const stressHttpsMs: number[] = [];
    for (let i = 0; i < 15; i++) {
      const started = process.hrtime.bigint();
      await post(target.ours(ours), stressBody, ca);
      if (i >= 5) stressHttpsMs.push(Number(process.hrtime.bigint() - started) / 1e6);
      oursRequests++;
    }
    stressHttpsMs.sort((a, b) => a - b);

    log('warm-up');
    for (const body of Object.values(bodies)) {
      await load(ours, target.ours(ours), body, { seconds: 2, maxRequests: 20_000 });
      await load(bare, target.bare(bare), body, { seconds: 2, maxRequests: 20_000 });
    }

    const throughput: Partial<Record<BodyName, ThroughputFigures>> = {};
    const rounds: Record<BodyName, { ours: LoadResult; bare: LoadResult }[]> = { 'pod CREATE': [], 'sts UPDATE': [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of Object.keys(bodies) as BodyName[]) {
        // Alternate which server goes first so that drift in the machine's load evens out.
        log(`throughput round ${round + 1}/${ROUNDS}, ${name}`);
        const first = round % 2 === 0;
        const run = (s: ServerProcess): Promise<LoadResult> => load(s, s === ours ? target.ours(s) : target.bare(s), bodies[name], { seconds: SECONDS, maxRequests: MAX_SATURATING });
        const a = await run(first ? ours : bare);
        const b = await run(first ? bare : ours);
        rounds[name].push(first ? { ours: a, bare: b } : { ours: b, bare: a });
      }
    }
    for (const name of Object.keys(bodies) as BodyName[]) throughput[name] = summarizeRounds(rounds[name]);

    log(`fixed load of ${FIXED_RATE} reviews/s`);
    const fixed: Partial<Record<BodyName, { ours: LoadResult; bare: LoadResult }>> = {};
    for (const name of Object.keys(bodies) as BodyName[]) {
      const extra = { seconds: FIXED_SECONDS, maxRequests: FIXED_RATE * FIXED_SECONDS, rate: FIXED_RATE };
      fixed[name] = { ours: await load(ours, target.ours(ours), bodies[name], extra), bare: await load(bare, target.bare(bare), bodies[name], extra) };
    }

    if (oursRequests < RSS_AFTER) {
      log(`topping up to ${RSS_AFTER} reviews for the peak RSS`);
      while (oursRequests < RSS_AFTER) {
        await load(ours, target.ours(ours), bodies['sts UPDATE'], { seconds: 20, maxRequests: Math.max(CONNECTIONS, RSS_AFTER - oursRequests) });
      }
    }
    const rss = { reviews: oursRequests, oursPeakBytes: peakRssBytes(ours.pid), barePeakBytes: peakRssBytes(bare.pid) };

    for (const s of servers) await s.stop();
    const profile = opts.profile ? summarizeProfile(profileDir, 25) : undefined;
    if (opts.profile) log(`CPU profile of the webhook: ${profileDir}`);

    const results: BenchResults = {
      date: new Date().toISOString(),
      machine: machine(),
      settings: { rounds: ROUNDS, secondsPerRun: SECONDS, connections: CONNECTIONS, fixedRate: FIXED_RATE, fixedSeconds: FIXED_SECONDS },
      throughput: throughput as Record<BodyName, ThroughputFigures>,
      fixedRate: fixed as Record<BodyName, { ours: LoadResult; bare: LoadResult }>,
      inProcess: inProcess.handlers,
      stress: { ...inProcess.stress, httpsMedianMs: stressHttpsMs[Math.floor(stressHttpsMs.length / 2)]! },
      rss,
      targets: [],
      durationSeconds: 0,
      ...(profile === undefined ? {} : { profile }),
    };
    results.targets.push(...evaluateTargets(results));
    results.durationSeconds = Math.round((Date.now() - startedAt) / 1000);
    writeFileSync(opts.out, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(renderTable(results));
    process.stdout.write(`\nresults written to ${opts.out}\n`);
  } finally {
    for (const s of servers) await s.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

function summarizeRounds(runs: readonly { ours: LoadResult; bare: LoadResult }[]): ThroughputFigures {
  const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const side = (pick: (r: { ours: LoadResult; bare: LoadResult }) => LoadResult) => ({
    throughput: median(runs.map((r) => pick(r).throughput)),
    p50Ms: median(runs.map((r) => pick(r).p50Ms)),
    p99Ms: median(runs.map((r) => pick(r).p99Ms)),
    maxMs: Math.max(...runs.map((r) => pick(r).maxMs)),
    serverCpu: median(runs.map((r) => pick(r).serverCpu)),
    clientCpu: median(runs.map((r) => pick(r).clientCpu)),
  });
  const ratios = runs.map((r) => r.ours.throughput / r.bare.throughput);
  return { ours: side((r) => r.ours), bare: side((r) => r.bare), ratio: median(ratios), ratios, runs: [...runs] };
}

function machine(): BenchResults['machine'] {
  const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'unknown';
  return { cores: cpus().length, cpu: model, node: process.version, platform: `${process.platform} ${process.arch}` };
}

/** One POST with the CA verified (the servers' certificate is checked once, here). */
function post(url: string, body: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent: keepAlive(ca), headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`${url}: HTTP ${res.statusCode}`))));
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error(`${url}: timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}
let agent: Agent | undefined;
function keepAlive(ca: string): Agent {
  agent ??= new Agent({ keepAlive: true, ca });
  return agent;
}

main().then(
  () => {
    agent?.destroy();
  },
  (err: unknown) => {
    agent?.destroy();
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
