import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseBenchArgs } from './args.js';
import { ensureDevCertificates } from '../src/tls/dev-certs.js';
import { BODY_NAMES, loadBodies, PROJECT_DIR, type BodyName } from './fixtures.js';
import type { InProcessResults } from './in-process.js';
import { runLoad, type LoadResult } from './load.js';
import { peakRssBytes, startServerProcess, treePeakRssBytes, type ServerProcess } from './processes.js';
import { summarizeProfile } from './profile.js';
import { GOSSIP_SAFE_VERSION } from '../src/version.js';
import { renderTable, evaluateTargets, sideFigures, type BenchResults, type Ratio, type ServerName, type SideFigures, type ThroughputFigures } from './report.js';
import { stressPod, stressRequest } from './stress-pod.js';

/**
 * `npm run bench`: gossip-safe's production server (dist/main.js, one process and `--workers 2`)
 * against a bare Node https server and a controller-runtime webhook doing the same injection
 * (bench/peers/controller-runtime, built here through scripts/tools), each in its own process on
 * 127.0.0.1, driven by autocannon from this process. Every load is bounded in requests and in
 * time. Prints one table; writes bench/results.json.
 */
const parsed = parseBenchArgs(process.argv.slice(2));
if (parsed.kind === 'help') {
  process.stdout.write(parsed.text);
  process.exit(0);
}
if (parsed.kind === 'error') {
  process.stderr.write(`${parsed.message}\n`);
  process.exit(64);
}
const opts = parsed;
const BASELINE_MAIN = opts.baseline === undefined ? undefined : join(opts.baseline, 'dist', 'main.js');
if (BASELINE_MAIN !== undefined && !existsSync(BASELINE_MAIN)) {
  process.stderr.write(`bench: --baseline ${opts.baseline}: ${BASELINE_MAIN} does not exist; run \`npm ci && npm run build\` there first\n`);
  process.exit(2);
}
const ROUNDS = opts.rounds;
const SECONDS = opts.seconds;
const CONNECTIONS = opts.connections;
/** Requests cap for a saturating run: far above what 2 cores can answer in SECONDS. */
const MAX_SATURATING = 60_000 * SECONDS;
const FIXED_RATE = 1000;
const FIXED_SECONDS = 6;
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
    const bodies = loadBodies();

    log('building the controller-runtime peer (cached after the first build)');
    let peerBinary: string;
    try {
      peerBinary = (await execFileAsync('bash', [join(PROJECT_DIR, 'scripts', 'tools', 'controller-runtime-peer.sh')], { maxBuffer: 16 << 20, timeout: 1_200_000 })).stdout.trim();
    } catch (err) {
      throw new Error(`controller-runtime peer: build failed: ${(err as { stderr?: string }).stderr ?? String(err)}`, { cause: err });
    }

    log('in-process cost of every endpoint on every recorded review, and the stress pod');
    const inProcess = JSON.parse(
      (await execFileAsync(process.execPath, [join(PROJECT_DIR, 'dist-bench', 'bench', 'in-process.js')], { maxBuffer: 16 << 20 })).stdout,
    ) as InProcessResults;

    // Kept after the run (outside the temp dir) so it can be opened in Chrome DevTools.
    const profileDir = join(tmpdir(), `gossip-safe-bench-profile-${Date.now()}`);
    const webhookPort = (line: Record<string, unknown>): number | undefined =>
      line['msg'] === 'gossip-safe webhook listening' && typeof line['port'] === 'number' ? line['port'] : undefined;
    const serveArgs = ['serve', '--host', '127.0.0.1', '--port', '0', '--tls-cert-file', certs.certFile, '--tls-key-file', certs.keyFile];
    const ours = await startServerProcess(
      'gossip-safe',
      [...(opts.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), join(PROJECT_DIR, 'dist', 'main.js'), ...serveArgs],
      join(dir, 'gossip-safe.log'),
      webhookPort,
    );
    servers.push(ours);
    const bare = await startServerProcess(
      'bare https',
      [join(PROJECT_DIR, 'dist-bench', 'bench', 'bare-server.js'), '--cert', certs.certFile, '--key', certs.keyFile],
      join(dir, 'bare.log'),
      (line) => (typeof line['port'] === 'number' ? line['port'] : undefined),
    );
    servers.push(bare);
    const peer = await startServerProcess(
      'controller-runtime',
      ['--cert', certs.certFile, '--key', certs.keyFile, '--host', '127.0.0.1', '--version', GOSSIP_SAFE_VERSION],
      join(dir, 'controller-runtime.log'),
      (line) => (Object.keys(line).length === 1 && typeof line['port'] === 'number' ? line['port'] : undefined),
      20_000,
      peerBinary,
    );
    servers.push(peer);
    const ours2 = await startServerProcess('gossip-safe x2', [join(PROJECT_DIR, 'dist', 'main.js'), ...serveArgs, '--workers', '2'], join(dir, 'gossip-safe-x2.log'), webhookPort);
    servers.push(ours2);
    const baseline = BASELINE_MAIN === undefined ? undefined : await startServerProcess('baseline', [BASELINE_MAIN, ...serveArgs], join(dir, 'baseline.log'), webhookPort);
    if (baseline !== undefined) servers.push(baseline);
    const byName: Partial<Record<ServerName, ServerProcess>> = { 'gossip-safe': ours, 'bare https': bare, 'controller-runtime': peer, 'gossip-safe x2': ours2, baseline };
    const url = (s: ServerProcess): string => `https://127.0.0.1:${s.port}${s === bare ? '/' : '/mutate'}`;
    /** Which servers run which body: the peer knows pods only; x2 is measured on the injected pod. */
    const withBaseline = (names: readonly ServerName[]): readonly ServerName[] => (baseline === undefined ? names : [...names, 'baseline']);
    const serversFor: Record<BodyName, readonly ServerName[]> = {
      'pod CREATE': withBaseline(['gossip-safe', 'bare https', 'controller-runtime', 'gossip-safe x2']),
      'pod pass-through': withBaseline(['gossip-safe', 'bare https', 'controller-runtime']),
      'sts UPDATE': withBaseline(['gossip-safe', 'bare https']),
    };
    const server = (name: ServerName): ServerProcess => {
      const s = byName[name];
      if (s === undefined) throw new Error(`bench: no server ${name}`);
      return s;
    };
    let oursRequests = 0;
    const load = async (server: ServerProcess, body: string, extra: { seconds: number; maxRequests: number; rate?: number }): Promise<LoadResult> => {
      const result = await runLoad({ url: url(server), body, connections: CONNECTIONS, serverPid: server.pid, ...extra });
      if (server === ours) oursRequests += result.requests;
      if (result.errors > 0 || result.non2xx > 0) throw new Error(`${server.name}: ${result.errors} errors, ${result.non2xx} non-2xx responses`);
      return result;
    };

    // Every server must answer correctly, over a verified TLS connection, before any load; the
    // peer's patch must be gossip-safe's (test/peer proves it on this pod; checked again here).
    for (const name of BODY_NAMES) {
      const body = bodies[name];
      const uid = (JSON.parse(body) as { request: { uid: string } }).request.uid;
      const patches = new Map<string, string | undefined>();
      for (const who of serversFor[name]) {
        const answer = JSON.parse(await post(url(server(who)), body, ca)) as { response?: { uid?: string; allowed?: boolean; patch?: string } };
        if (answer.response?.uid !== uid || answer.response.allowed !== true) throw new Error(`${who} answered ${JSON.stringify(answer)}`);
        // The baseline may be an older version with another patch: only its answer is checked.
        if (who !== 'bare https' && who !== 'baseline') patches.set(who, answer.response.patch === undefined ? undefined : sortedOps(answer.response.patch));
      }
      if (new Set(patches.values()).size !== 1) throw new Error(`${name}: the servers' patches differ: ${JSON.stringify(Object.fromEntries(patches))}`);
    }
    const stressBody = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: stressRequest(stressPod()) });
    const stressHttpsMs: number[] = [];
    for (let i = 0; i < 15; i++) {
      const started = process.hrtime.bigint();
      await post(url(ours), stressBody, ca);
      if (i >= 5) stressHttpsMs.push(Number(process.hrtime.bigint() - started) / 1e6);
      oursRequests++;
    }
    stressHttpsMs.sort((a, b) => a - b);

    log('warm-up');
    for (const name of BODY_NAMES) for (const who of serversFor[name]) await load(server(who), bodies[name], { seconds: 1, maxRequests: 20_000 });

    const throughput: Partial<Record<BodyName, ThroughputFigures>> = {};
    const rounds: Record<BodyName, Partial<Record<ServerName, LoadResult>>[]> = { 'pod CREATE': [], 'pod pass-through': [], 'sts UPDATE': [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of BODY_NAMES) {
        // Rotate which server goes first so that drift in the machine's load evens out.
        log(`throughput round ${round + 1}/${ROUNDS}, ${name}`);
        const order = serversFor[name].map((_, i, all) => all[(i + round) % all.length]!);
        const results: Partial<Record<ServerName, LoadResult>> = {};
        for (const who of order) results[who] = await load(server(who), bodies[name], { seconds: SECONDS, maxRequests: MAX_SATURATING });
        rounds[name].push(results);
      }
    }
    for (const name of BODY_NAMES) throughput[name] = summarizeRounds(rounds[name], serversFor[name]);

    log(`fixed load of ${FIXED_RATE} reviews/s`);
    const fixed: Partial<Record<BodyName, Partial<Record<ServerName, SideFigures>>>> = {};
    for (const name of BODY_NAMES) {
      const extra = { seconds: FIXED_SECONDS, maxRequests: FIXED_RATE * FIXED_SECONDS, rate: FIXED_RATE };
      const row: Partial<Record<ServerName, SideFigures>> = {};
      for (const who of serversFor[name]) if (who !== 'gossip-safe x2') row[who] = sideFigures(await load(server(who), bodies[name], extra));
      fixed[name] = row;
    }

    if (oursRequests < RSS_AFTER) {
      log(`topping up to ${RSS_AFTER} reviews for the peak RSS`);
      while (oursRequests < RSS_AFTER) {
        await load(ours, bodies['pod CREATE'], { seconds: 20, maxRequests: Math.max(CONNECTIONS, RSS_AFTER - oursRequests) });
      }
    }
    const rss = {
      reviews: oursRequests,
      peakBytes: { 'gossip-safe': peakRssBytes(ours.pid), 'bare https': peakRssBytes(bare.pid), 'controller-runtime': peakRssBytes(peer.pid), 'gossip-safe x2': treePeakRssBytes(ours2.pid), ...(baseline === undefined ? {} : { baseline: peakRssBytes(baseline.pid) }) },
    };

    for (const s of servers) await s.stop();
    const profile = opts.profile ? summarizeProfile(profileDir, 25) : undefined;
    if (opts.profile) log(`CPU profile of the webhook: ${profileDir}`);

    const results: BenchResults = {
      date: new Date().toISOString(),
      machine: machine(),
      settings: { rounds: ROUNDS, secondsPerRun: SECONDS, connections: CONNECTIONS, fixedRate: FIXED_RATE, fixedSeconds: FIXED_SECONDS },
      throughput,
      fixedRate: fixed,
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

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function summarizeRounds(runs: readonly Partial<Record<ServerName, LoadResult>>[], names: readonly ServerName[]): ThroughputFigures {
  const servers: Partial<Record<ServerName, SideFigures>> = {};
  for (const who of names) {
    const xs = runs.map((r) => r[who]!);
    const m = (pick: (r: LoadResult) => number): number => median(xs.map(pick));
    servers[who] = sideFigures({ throughput: m((r) => r.throughput), p50Ms: m((r) => r.p50Ms), p99Ms: m((r) => r.p99Ms), maxMs: Math.max(...xs.map((r) => r.maxMs)), serverCpu: m((r) => r.serverCpu), clientCpu: m((r) => r.clientCpu) });
  }
  const ratios: Ratio[] = [];
  const ratio = (a: ServerName, b: ServerName): void => {
    if (!names.includes(a) || !names.includes(b)) return;
    const rounds = runs.map((r) => r[a]!.throughput / r[b]!.throughput);
    ratios.push({ name: `${a} / ${b}`, median: median(rounds), rounds });
  };
  ratio('gossip-safe', 'bare https');
  ratio('gossip-safe', 'controller-runtime');
  ratio('gossip-safe x2', 'gossip-safe');
  ratio('gossip-safe', 'baseline');
  ratio('baseline', 'bare https');
  return { servers, ratios, runs: [...runs] };
}

/** A base64 JSON patch's operations, sorted by path, as one string: equal for equal patch sets. */
function sortedOps(patch: string): string {
  const ops = JSON.parse(Buffer.from(patch, 'base64').toString('utf8')) as { path: string }[];
  return JSON.stringify(ops.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)));
}

function machine(): BenchResults['machine'] {
  const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'unknown';
  return { cores: cpus().length, cpu: model, node: process.version, platform: `${process.platform} ${process.arch}`, loadAverage: loadavg() };
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
