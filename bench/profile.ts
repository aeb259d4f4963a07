import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The part of a V8 .cpuprofile this summary reads. */
interface CpuProfile {
  readonly nodes: readonly { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** Sampled time outside (idle) and (program); shares are of this. */
  readonly busyMs: number;
  readonly top: readonly { functionName: string; location: string; share: number }[];
}

/**
 * Top self-time functions of the `--cpu-prof` profile(s) in `dir`, grouped by function and
 * file. Good enough to say where the time goes; open the file in Chrome DevTools
 * (Performance panel, load profile) for the call tree.
 */
export function summarizeProfile(dir: string, limit: number): ProfileSummary {
  const self = new Map<string, number>();
  let total = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    profile.samples.forEach((id, i) => {
      const node = byId.get(id);
      const dt = (profile.timeDeltas[i] ?? 0) / 1000;
      if (node === undefined) return;
      const { functionName, url, lineNumber } = node.callFrame;
      const where = url === '' ? '' : `${url.replace(/^file:\/\/.*\/node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/')}:${lineNumber + 1}`;
      const key = `${functionName || '(anonymous)'}\t${where}`;
      self.set(key, (self.get(key) ?? 0) + dt);
      total += dt;
    });
  }
  const idle = ['(idle)', '(program)'];
  const busy = [...self.entries()].filter(([k]) => !idle.includes(k.split('\t')[0]!)).reduce((sum, [, ms]) => sum + ms, 0);
  const top = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .filter(([k]) => !idle.includes(k.split('\t')[0]!))
    .slice(0, limit)
    .map(([k, ms]) => {
      const [functionName = '', location = ''] = k.split('\t');
      return { functionName, location, share: busy === 0 ? 0 : ms / busy };
    });
  return { totalMs: total, busyMs: busy, top };
}
