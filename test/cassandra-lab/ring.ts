import type { ContainerRun, Kubelet } from './kubelet.js';

/** One line of `nodetool status`: state (UN, DN, UJ...), address and host ID. */
export interface RingEntry {
  readonly state: string;
  readonly address: string;
  readonly hostId: string;
}

const STATUS_LINE = /^([UD][NLJM])\s+(\S+)\s.*?\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b/;

export function parseStatus(text: string): RingEntry[] {
  const out: RingEntry[] = [];
  for (const line of text.split('\n')) {
    const m = STATUS_LINE.exec(line.trim());
    if (m !== null) out.push({ state: m[1]!, address: m[2]!, hostId: m[3]! });
  }
  return out;
}

const NODETOOL_MS = 60_000;

/** `nodetool status` run inside a running container, parsed. Throws when nodetool fails. */
export async function ringView(kubelet: Kubelet, c: ContainerRun): Promise<RingEntry[]> {
  const r = await kubelet.exec(c, ['nodetool', 'status'], NODETOOL_MS);
  if (r.code !== 0) throw new Error(`nodetool status failed (${r.timedOut ? 'timed out' : `exit ${r.code}`}): ${r.output.trim().slice(-300)}`);
  return parseStatus(r.output);
}

/** The host ID `nodetool info` reports inside a running container. */
export async function hostId(kubelet: Kubelet, c: ContainerRun): Promise<string> {
  const r = await kubelet.exec(c, ['nodetool', 'info'], NODETOOL_MS);
  const m = /^ID\s*:\s*(\S+)/m.exec(r.output);
  if (r.code !== 0 || m === null) throw new Error(`nodetool info failed: ${r.output.trim().slice(-300)}`);
  return m[1]!;
}

export function describe(view: readonly RingEntry[]): string {
  return view.map((e) => `${e.state} ${e.address} ${e.hostId}`).join('; ');
}
