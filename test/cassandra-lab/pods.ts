import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PREMIGRATE_CONTAINER } from '../../src/contract.js';
import { sleep } from './host.js';
import type { ContainerRun, Kubelet, PodRun } from './kubelet.js';
import { describe as describeRing, ringView, type RingEntry } from './ring.js';
import type { StatefulSetController } from './statefulset.js';

/** What happened to one pod incarnation's init containers. */
export interface InitOutcome {
  readonly name: string;
  readonly exit: number | null;
  readonly ms: number;
  readonly log: string;
}

export interface PodStart {
  readonly run: PodRun;
  readonly inits: readonly InitOutcome[];
  /** Whether the main container was started (all init containers exited 0). */
  readonly mainStarted: boolean;
}

export const MARKER = join('.gossip-safe', 'premigrated');

/** Allocates pod IPs: every incarnation gets the next, never-used address. */
export class IpPool {
  private next: number;
  constructor(first: number) {
    this.next = first;
  }
  take(): string {
    if (this.next > 250) throw new Error('cassandra lab: out of addresses in 10.231.14.0/24');
    return `10.231.14.${this.next++}`;
  }
}

/**
 * The kubelet's pod start: sandbox (new namespace, new IP), each init container to completion
 * in order (bounded by `initBoundMs`), then the main container only if all exited 0.
 */
export async function startPod(
  kubelet: Kubelet,
  sts: StatefulSetController,
  ordinal: number,
  slot: number,
  ip: string,
  initBoundMs: number,
  onInitStarted?: (c: ContainerRun, p: PodRun) => void,
  /** Runs after every init container exited 0, before the main container starts. */
  beforeMain?: () => Promise<void>,
): Promise<PodStart> {
  const pod = sts.podFor(ordinal);
  const run = await kubelet.createPod(pod, ordinal, slot, ip);
  const inits: InitOutcome[] = [];
  for (const ic of pod.spec?.initContainers ?? []) {
    const started = Date.now();
    const c = kubelet.startContainer(run, ic);
    onInitStarted?.(c, run);
    const exit = await Promise.race([c.exited, sleep(initBoundMs).then(() => 'bound' as const)]);
    if (exit === 'bound') {
      await kubelet.stopContainer(c, 5_000);
      inits.push({ name: ic.name, exit: null, ms: Date.now() - started, log: c.log() });
      return { run, inits, mainStarted: false };
    }
    inits.push({ name: ic.name, exit, ms: Date.now() - started, log: c.log() });
    if (exit !== 0) return { run, inits, mainStarted: false };
  }
  await beforeMain?.();
  const main = pod.spec?.containers[0];
  if (main === undefined) throw new Error('cassandra lab: pod has no container');
  run.main = kubelet.startContainer(run, main);
  return { run, inits, mainStarted: true };
}

/** Pod deletion: the preStop exec hook as injected, then SIGTERM, SIGKILL after the grace period. */
export async function deletePodGracefully(kubelet: Kubelet, p: PodRun): Promise<{ preStop?: string; preStopExit?: number | null }> {
  const graceMs = (p.pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000;
  const command = p.pod.spec?.containers[0]?.lifecycle?.preStop?.exec?.command;
  let out: { preStop?: string; preStopExit?: number | null } = {};
  if (p.main !== undefined && p.main.exitCode === undefined && command != null) {
    const r = await kubelet.exec(p.main, command, graceMs);
    out = { preStop: command.join(' '), preStopExit: r.code };
  }
  await kubelet.deletePod(p, graceMs);
  return out;
}

export function premigrateInit(p: PodRun): boolean {
  return (p.pod.spec?.initContainers ?? []).some((c) => c.name === PREMIGRATE_CONTAINER);
}

export function readMarker(kubelet: Kubelet, podName: string): string | undefined {
  const file = join(kubelet.pvcDir(podName), MARKER);
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/**
 * Waits until `observer`'s `nodetool status` shows `expected` nodes, all UN, one of them the
 * host ID `hostId` at `ip`. Bounded; throws with the last view.
 */
export async function waitForRing(
  kubelet: Kubelet,
  observers: () => readonly ContainerRun[],
  expected: number,
  timeoutMs: number,
  want?: { hostId: string; ip: string },
  /** Only `want` matters: other nodes may be down (a peer held down). */
  onlyWanted = false,
): Promise<RingEntry[]> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no view yet';
  while (Date.now() < deadline) {
    for (const o of observers()) {
      if (o.exitCode !== undefined) continue;
      try {
        const view = await ringView(kubelet, o);
        last = describeRing(view);
        const allUp = onlyWanted || (view.length === expected && view.every((e) => e.state === 'UN'));
        const seen = want === undefined || view.some((e) => e.hostId === want.hostId && e.address === want.ip && e.state === 'UN');
        if (allUp && seen) return view;
      } catch (err) {
        last = (err as Error).message;
      }
    }
    await sleep(2_000);
  }
  throw new Error(`cassandra lab: ring not ${expected} x UN${want === undefined ? '' : ` with ${want.hostId} at ${want.ip}`} within ${timeoutMs} ms; last view: ${last}`);
}

/**
 * Paths under `dir` (relative, `dir` itself as '.') not owned by `uid`, skipping the top-level
 * entries in `skip`. What the server's user could not write after the pre-migration.
 */
export function notOwnedBy(dir: string, uid: number, skip: readonly string[] = []): string[] {
  const out: string[] = [];
  const walk = (abs: string, rel: string): void => {
    const st = lstatSync(abs);
    if (st.uid !== uid) out.push(`${rel} (uid ${st.uid})`);
    if (!st.isDirectory()) return;
    for (const name of readdirSync(abs)) {
      if (rel === '.' && skip.includes(name)) continue;
      walk(join(abs, name), rel === '.' ? name : join(rel, name));
    }
  };
  walk(dir, '.');
  return out;
}

/** The uid owning `path`, or undefined when it does not exist. */
export function ownerOf(path: string): number | undefined {
  return existsSync(path) ? lstatSync(path).uid : undefined;
}
