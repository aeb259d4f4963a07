import { execFileSync } from 'node:child_process';
import { must, run } from './host.js';

/**
 * The lab's pod network: a bridge `gsc-br0` with 10.231.14.1/24 on the host side, and one
 * network namespace `gsc-<n>` per pod incarnation slot, joined to the bridge by a veth pair
 * whose inner end is the pod's `eth0`. Each namespace has its own loopback, so JMX on
 * 127.0.0.1:7199 (nodetool) is the pod's own, as in Kubernetes. Only addresses of this block
 * are ever used; nothing is routed anywhere else.
 */
export const BRIDGE = 'gsc-br0';
export const SUBNET_PREFIX = '10.231.14';
const HOST_ADDRESS = `${SUBNET_PREFIX}.1`;
const NS_PREFIX = 'gsc-';

export function namespaceName(slot: number): string {
  return `${NS_PREFIX}${slot}`;
}

export async function requireRoot(): Promise<void> {
  const r = await run(['id', '-u'], { timeoutMs: 5_000 });
  if (r.output.trim() !== '0') throw new Error('cassandra lab: must run as root (network namespaces, bind mounts)');
}

/** Removes every namespace, veth and bridge of the lab (from this run or a killed earlier one). */
export async function removeAll(): Promise<void> {
  const list = await run(['ip', '-o', 'netns', 'list'], { timeoutMs: 10_000 });
  const names = list.output
    .split('\n')
    .map((l) => l.split(/\s+/)[0] ?? '')
    .filter((n) => n.startsWith(NS_PREFIX));
  for (const ns of names) await deleteNamespace(ns);
  // veths left by a killed run whose namespace is already gone
  const links = await run(['ip', '-o', 'link', 'show'], { timeoutMs: 10_000 });
  for (const name of links.output.matchAll(/^\d+:\s+(gsc-h\d+)[@:]/gm)) {
    await run(['ip', 'link', 'del', name[1]!], { timeoutMs: 10_000 });
  }
  await run(['ip', 'link', 'del', BRIDGE], { timeoutMs: 10_000 });
}

/** The host end of the veth pair of namespace `gsc-<slot>`. */
function hostEndName(ns: string): string {
  return `gsc-h${ns.slice(NS_PREFIX.length)}`;
}

async function linkExists(name: string): Promise<boolean> {
  return (await run(['ip', 'link', 'show', name], { timeoutMs: 10_000 })).code === 0;
}

/**
 * Kills every process still inside the namespace, deletes it, and deletes its veth pair.
 * The kernel tears a deleted namespace down asynchronously (and not at all while a process
 * still holds it), so its veth can outlive `ip netns del` for a while; a CI run once met
 * `RTNETLINK answers: File exists` re-creating it. Deleting the host end removes both ends at
 * once, and the wait for it to be gone is bounded.
 */
export async function deleteNamespace(ns: string): Promise<void> {
  // A SIGKILLed JVM with a large heap can take a moment to be reaped; wait up to 10 s.
  const killDeadline = Date.now() + 10_000;
  while (Date.now() < killDeadline) {
    const pids = await run(['ip', 'netns', 'pids', ns], { timeoutMs: 10_000 });
    const list = pids.output.split(/\s+/).filter((p) => /^\d+$/.test(p));
    if (list.length === 0) break;
    for (const pid of list) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone
      }
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  await run(['ip', 'netns', 'del', ns], { timeoutMs: 10_000 });
  const hostEnd = hostEndName(ns);
  const deadline = Date.now() + 15_000;
  while (await linkExists(hostEnd)) {
    if (Date.now() > deadline) throw new Error(`cassandra lab: veth ${hostEnd} of deleted namespace ${ns} still exists after 15 s`);
    await run(['ip', 'link', 'del', hostEnd], { timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function createBridge(): Promise<void> {
  await removeAll();
  await must(['ip', 'link', 'add', BRIDGE, 'type', 'bridge']);
  await must(['ip', 'addr', 'add', `${HOST_ADDRESS}/24`, 'dev', BRIDGE]);
  await must(['ip', 'link', 'set', BRIDGE, 'up']);
}

/** A fresh namespace `gsc-<slot>` whose eth0 has `ip`, with loopback up. */
export async function createNamespace(slot: number, ip: string): Promise<string> {
  const ns = namespaceName(slot);
  const hostEnd = hostEndName(ns);
  await deleteNamespace(ns);
  await must(['ip', 'netns', 'add', ns]);
  await must(['ip', 'link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
  await must(['ip', 'link', 'set', hostEnd, 'master', BRIDGE, 'up']);
  await must(['ip', '-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
  await must(['ip', '-n', ns, 'link', 'set', 'eth0', 'up']);
  await must(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
  return ns;
}

/**
 * The same as removeAll, synchronously: for a SIGTERM or SIGINT to the lab (a CI timeout, ^C),
 * when Jest's afterAll hooks do not run. Kills every process in the lab's namespaces.
 */
export function removeAllSync(): void {
  const sh = (argv: string[]): string => {
    try {
      return execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return '';
    }
  };
  const names = sh(['ip', '-o', 'netns', 'list'])
    .split('\n')
    .map((l) => l.split(/\s+/)[0] ?? '')
    .filter((n) => n.startsWith(NS_PREFIX));
  for (const ns of names) {
    for (const pid of sh(['ip', 'netns', 'pids', ns]).split(/\s+/).filter((p) => /^\d+$/.test(p))) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone
      }
    }
    sh(['ip', 'netns', 'del', ns]);
    sh(['ip', 'link', 'del', hostEndName(ns)]);
  }
  sh(['ip', 'link', 'del', BRIDGE]);
}
