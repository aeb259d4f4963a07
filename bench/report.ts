import type { HandlerCost, StressCost } from './in-process.js';
import type { BodyName } from './fixtures.js';
import type { LoadResult } from './load.js';
import type { ProfileSummary } from './profile.js';

/**
 * The servers a run measures; `gossip-safe x2` is `serve --workers 2`; `baseline` is another
 * checkout's gossip-safe (`--baseline DIR`), measured only when given.
 */
export const SERVER_NAMES = ['gossip-safe', 'bare https', 'controller-runtime', 'gossip-safe x2', 'baseline'] as const;
export type ServerName = (typeof SERVER_NAMES)[number];

export interface SideFigures {
  readonly throughput: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly serverCpu: number;
  readonly clientCpu: number;
  /** Server CPU time (user + system, all its processes) per answered review. */
  readonly cpuUsPerReview: number;
}

/** A ratio of throughputs measured in the same rounds: the median of the per-round ratios. */
export interface Ratio {
  readonly name: string;
  readonly median: number;
  readonly rounds: readonly number[];
}

/** Medians over the interleaved rounds, per server that ran this body. */
export interface ThroughputFigures {
  readonly servers: Partial<Record<ServerName, SideFigures>>;
  readonly ratios: readonly Ratio[];
  readonly runs: readonly Partial<Record<ServerName, LoadResult>>[];
}

export interface TargetResult {
  readonly name: string;
  readonly pass: boolean;
  readonly measured: string;
  readonly target: string;
}

export interface BenchResults {
  readonly date: string;
  readonly machine: { cores: number; cpu: string; node: string; platform: string; loadAverage: readonly number[] };
  readonly settings: { rounds: number; secondsPerRun: number; connections: number; fixedRate: number; fixedSeconds: number };
  readonly throughput: Partial<Record<BodyName, ThroughputFigures>>;
  readonly fixedRate: Partial<Record<BodyName, Partial<Record<ServerName, SideFigures>>>>;
  readonly inProcess: readonly HandlerCost[];
  readonly stress: StressCost & { httpsMedianMs: number };
  readonly rss: { reviews: number; peakBytes: Partial<Record<ServerName, number>> };
  readonly targets: TargetResult[];
  durationSeconds: number;
  readonly profile?: ProfileSummary;
}

const MB = 1024 * 1024;
export const TARGETS = { createRatio: 0.9, passThroughRatio: 0.95, fixedP99Ms: 5, stressMs: 50, rssBytes: 100 * MB } as const;

export function sideFigures(r: Pick<LoadResult, 'throughput' | 'p50Ms' | 'p99Ms' | 'maxMs' | 'serverCpu' | 'clientCpu'>): SideFigures {
  return { throughput: r.throughput, p50Ms: r.p50Ms, p99Ms: r.p99Ms, maxMs: r.maxMs, serverCpu: r.serverCpu, clientCpu: r.clientCpu, cpuUsPerReview: (r.serverCpu / r.throughput) * 1e6 };
}

export function evaluateTargets(r: BenchResults): TargetResult[] {
  const out: TargetResult[] = [];
  const ratio = (body: BodyName, name: string): Ratio | undefined => r.throughput[body]?.ratios.find((x) => x.name === name);
  for (const [body, min] of [['pod CREATE', TARGETS.createRatio], ['pod pass-through', TARGETS.passThroughRatio]] as const) {
    const x = ratio(body, 'gossip-safe / bare https');
    if (x !== undefined) out.push({ name: `throughput ${body} vs bare https`, pass: x.median >= min, measured: `${x.median.toFixed(2)} of bare`, target: `>= ${min}` });
  }
  const peer = ratio('pod CREATE', 'gossip-safe / controller-runtime');
  if (peer !== undefined) out.push({ name: 'throughput pod CREATE vs controller-runtime', pass: peer.median >= 1, measured: `${peer.median.toFixed(2)} of the peer`, target: '>= 1.0' });
  const fixedCreate = r.fixedRate['pod CREATE'];
  const oursF = fixedCreate?.['gossip-safe'];
  const peerF = fixedCreate?.['controller-runtime'];
  if (oursF !== undefined && peerF !== undefined) {
    out.push({ name: `p99 at ${r.settings.fixedRate}/s pod CREATE vs controller-runtime`, pass: oursF.p99Ms <= peerF.p99Ms, measured: `${oursF.p99Ms.toFixed(2)} ms vs ${peerF.p99Ms.toFixed(2)} ms`, target: "<= the peer's" });
  }
  for (const [body, f] of Object.entries(r.fixedRate)) {
    const ours = f['gossip-safe'];
    const bare = f['bare https'];
    if (ours === undefined) continue;
    const sustained = ours.throughput >= 0.95 * r.settings.fixedRate;
    out.push({
      name: `p99 at ${r.settings.fixedRate}/s ${body}`,
      pass: sustained && ours.p99Ms <= TARGETS.fixedP99Ms,
      measured: `${ours.p99Ms.toFixed(2)} ms${sustained ? '' : ` (only ${ours.throughput.toFixed(0)}/s sustained)`}; bare https in the same run: ${bare === undefined ? '-' : `${bare.p99Ms.toFixed(2)} ms`}`,
      target: `<= ${TARGETS.fixedP99Ms} ms`,
    });
  }
  out.push({ name: 'stress pod', pass: r.stress.medianMs < TARGETS.stressMs, measured: `${r.stress.medianMs.toFixed(1)} ms`, target: `< ${TARGETS.stressMs} ms` });
  const rss = r.rss.peakBytes['gossip-safe'];
  if (rss !== undefined) out.push({ name: `peak RSS after ${r.rss.reviews} reviews`, pass: rss < TARGETS.rssBytes, measured: `${(rss / MB).toFixed(0)} MB`, target: `< ${TARGETS.rssBytes / MB} MB` });
  return out;
}

function cells(widths: readonly number[], values: readonly string[]): string {
  return values.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ').trimEnd();
}

const f0 = (n: number): string => n.toFixed(0);
const f2 = (n: number): string => n.toFixed(2);
const pct = (n: number): string => `${(n * 100).toFixed(0)}%`;

/** The one table `npm run bench` prints (plain text, also pasted into the README). */
export function renderTable(r: BenchResults): string {
  const lines: string[] = [];
  const s = r.settings;
  lines.push(`gossip-safe benchmark, ${r.date.slice(0, 16).replace('T', ' ')} UTC: ${r.machine.cores} x ${r.machine.cpu}, Node ${r.machine.node}`);
  lines.push(`HTTPS keep-alive on 127.0.0.1, ${s.connections} connections; saturating runs: ${s.rounds} interleaved rounds of ${s.secondsPerRun} s per server and body (medians)`);
  lines.push(`Load average at the end of the run (other jobs share this machine): ${r.machine.loadAverage.map((x) => x.toFixed(1)).join(', ')}`);
  lines.push('');
  const w = [36, 10, 8, 8, 8, 7, 10, 7];
  const row = (label: string, side: SideFigures): string =>
    cells(w, [label, f0(side.throughput), f2(side.p50Ms), f2(side.p99Ms), f2(side.maxMs), pct(side.serverCpu), f0(side.cpuUsPerReview), pct(side.clientCpu)]);
  lines.push(cells(w, ['Saturating load', 'reviews/s', 'p50 ms', 'p99 ms', 'max ms', 'srv CPU', 'CPU us/rev', 'gen CPU']));
  for (const [body, t] of Object.entries(r.throughput)) {
    for (const [who, side] of Object.entries(t.servers)) lines.push(row(`${body} ${who}`, side));
    for (const x of t.ratios) lines.push(`  ${body} ${x.name}: ${f2(x.median)} (rounds: ${x.rounds.map(f2).join(', ')})`);
  }
  lines.push('');
  lines.push(cells(w, [`Fixed ${s.fixedRate} reviews/s`, 'reviews/s', 'p50 ms', 'p99 ms', 'max ms', 'srv CPU', 'CPU us/rev', 'gen CPU']));
  for (const [body, f] of Object.entries(r.fixedRate)) {
    for (const [who, side] of Object.entries(f)) lines.push(row(`${body} ${who}`, side));
  }
  lines.push('');
  const endpoints = [...new Set(r.inProcess.map((h) => h.endpoint))];
  const fixtures = [...new Set(r.inProcess.map((h) => h.fixture))];
  const fw = Math.max(...fixtures.map((f) => f.length - 5), 10);
  const ew = [fw, ...endpoints.map((e) => Math.max(e.length, 8))];
  lines.push(cells(ew, ['In-process us per review', ...endpoints]));
  for (const fixture of fixtures) {
    const row = endpoints.map((e) => {
      const h = r.inProcess.find((x) => x.endpoint === e && x.fixture === fixture);
      return h === undefined ? '-' : h.usPerReview < 10 ? h.usPerReview.toFixed(2) : h.usPerReview.toFixed(0);
    });
    lines.push(cells(ew, [fixture.replace(/\.json$/, ''), ...row]));
  }
  lines.push('');
  const st = r.stress;
  lines.push(
    `Stress pod (${st.shape.containers} containers, ${st.shape.initContainers} init containers, ${st.shape.envVars} env vars on the datastore container, ${(st.bodyBytes / 1024).toFixed(0)} KB): ` +
      `${st.medianMs.toFixed(1)} ms per admission in-process (median of ${st.iterations}, max ${st.maxMs.toFixed(1)}), ${st.httpsMedianMs.toFixed(1)} ms over HTTPS; ${st.patchOps} patch operations`,
  );
  lines.push(
    `Peak RSS (VmHWM) after ${r.rss.reviews} reviews to gossip-safe: ` +
      Object.entries(r.rss.peakBytes)
        .map(([who, b]) => `${who} ${(b / MB).toFixed(0)} MB`)
        .join(', ') +
      ' (x2: primary and workers added up)',
  );
  lines.push('');
  lines.push('Targets');
  for (const t of r.targets) lines.push(`  ${t.pass ? 'PASS' : 'MISS'}  ${t.name}: ${t.measured} (target ${t.target})`);
  if (r.profile !== undefined) {
    lines.push('');
    lines.push(`CPU profile of gossip-safe, share of busy time by self time (${(r.profile.busyMs / 1000).toFixed(1)} s busy of ${(r.profile.totalMs / 1000).toFixed(1)} s sampled)`);
    for (const e of r.profile.top) lines.push(`  ${pct(e.share).padStart(4)}  ${e.functionName} ${e.location}`);
  }
  lines.push(`(took ${r.durationSeconds} s)`);
  return `${lines.join('\n')}\n`;
}
