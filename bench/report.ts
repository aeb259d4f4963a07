import type { HandlerCost, StressCost } from './in-process.js';
import type { BodyName } from './fixtures.js';
import type { LoadResult } from './load.js';
import type { ProfileSummary } from './profile.js';

export interface SideFigures {
  readonly throughput: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly serverCpu: number;
  readonly clientCpu: number;
}

/** Medians over the interleaved rounds; `ratio` is the median of the per-round ratios. */
export interface ThroughputFigures {
  readonly ours: SideFigures;
  readonly bare: SideFigures;
  readonly ratio: number;
  readonly ratios: readonly number[];
  readonly runs: readonly { ours: LoadResult; bare: LoadResult }[];
}

export interface TargetResult {
  readonly name: string;
  readonly pass: boolean;
  readonly measured: string;
  readonly target: string;
}

export interface BenchResults {
  readonly date: string;
  readonly machine: { cores: number; cpu: string; node: string; platform: string };
  readonly settings: { rounds: number; secondsPerRun: number; connections: number; fixedRate: number; fixedSeconds: number };
  readonly throughput: Record<BodyName, ThroughputFigures>;
  readonly fixedRate: Record<BodyName, { ours: LoadResult; bare: LoadResult }>;
  readonly inProcess: readonly HandlerCost[];
  readonly stress: StressCost & { httpsMedianMs: number };
  readonly rss: { reviews: number; oursPeakBytes: number; barePeakBytes: number };
  readonly targets: TargetResult[];
  durationSeconds: number;
  readonly profile?: ProfileSummary;
}

const MB = 1024 * 1024;
export const TARGETS = { throughputRatio: 0.7, fixedP99Ms: 5, stressMs: 50, rssBytes: 150 * MB } as const;

export function evaluateTargets(r: BenchResults): TargetResult[] {
  const out: TargetResult[] = [];
  for (const [body, t] of Object.entries(r.throughput)) {
    out.push({ name: `throughput ${body}`, pass: t.ratio >= TARGETS.throughputRatio, measured: `${t.ratio.toFixed(2)} of bare`, target: `>= ${TARGETS.throughputRatio}` });
  }
  for (const [body, f] of Object.entries(r.fixedRate)) {
    const sustained = f.ours.throughput >= 0.95 * r.settings.fixedRate;
    out.push({
      name: `p99 at ${r.settings.fixedRate}/s ${body}`,
      pass: sustained && f.ours.p99Ms <= TARGETS.fixedP99Ms,
      measured: `${f.ours.p99Ms.toFixed(2)} ms${sustained ? '' : ` (only ${f.ours.throughput.toFixed(0)}/s sustained)`}; bare https in the same run: ${f.bare.p99Ms.toFixed(2)} ms`,
      target: `<= ${TARGETS.fixedP99Ms} ms`,
    });
  }
  out.push({ name: 'stress pod', pass: r.stress.medianMs < TARGETS.stressMs, measured: `${r.stress.medianMs.toFixed(1)} ms`, target: `< ${TARGETS.stressMs} ms` });
  out.push({ name: `peak RSS after ${r.rss.reviews} reviews`, pass: r.rss.oursPeakBytes < TARGETS.rssBytes, measured: `${(r.rss.oursPeakBytes / MB).toFixed(0)} MB`, target: `< ${TARGETS.rssBytes / MB} MB` });
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
  lines.push('');
  const w = [24, 10, 8, 8, 8, 7, 10, 7];
  lines.push(cells(w, ['Saturating load', 'reviews/s', 'p50 ms', 'p99 ms', 'max ms', 'srv CPU', 'CPU us/rev', 'gen CPU']));
  for (const [body, t] of Object.entries(r.throughput)) {
    for (const [who, side] of [['gossip-safe', t.ours], ['bare https', t.bare]] as const) {
      const usPerReview = (side.serverCpu / side.throughput) * 1e6;
      lines.push(cells(w, [`${body} ${who}`, f0(side.throughput), f2(side.p50Ms), f2(side.p99Ms), f2(side.maxMs), pct(side.serverCpu), f0(usPerReview), pct(side.clientCpu)]));
    }
    lines.push(`${body} ratio ours/bare: ${f2(t.ratio)} (rounds: ${t.ratios.map(f2).join(', ')})`);
  }
  lines.push('');
  lines.push(cells(w, [`Fixed ${s.fixedRate} reviews/s`, 'reviews/s', 'p50 ms', 'p99 ms', 'max ms', 'srv CPU', 'CPU us/rev', 'gen CPU']));
  for (const [body, f] of Object.entries(r.fixedRate)) {
    for (const [who, side] of [['gossip-safe', f.ours], ['bare https', f.bare]] as const) {
      const usPerReview = (side.serverCpu / side.throughput) * 1e6;
      lines.push(cells(w, [`${body} ${who}`, f0(side.throughput), f2(side.p50Ms), f2(side.p99Ms), f2(side.maxMs), pct(side.serverCpu), f0(usPerReview), pct(side.clientCpu)]));
    }
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
  lines.push(`Peak RSS after ${r.rss.reviews} reviews: gossip-safe ${(r.rss.oursPeakBytes / MB).toFixed(0)} MB (bare https ${(r.rss.barePeakBytes / MB).toFixed(0)} MB)`);
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
