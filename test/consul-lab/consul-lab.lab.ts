/**
 * The Consul lab: real Consul agents (v1.14.8, MPL 2.0, built from the Go module proxy by
 * scripts/tools/consul.sh) on 127.79.85.0/24: three servers, and a StatefulSet `client` of Consul
 * client pods, each admitted through gossip-safe's real mutation (or not at all, the control) and
 * started as the kubelet would (env from the downward API, `$(VAR)` expanded, preStop exec run as
 * injected). ACLs are on (default deny); each client agent gets its token from a config file, the
 * way consul-k8s's acl-init provides it, and `consul leave` needs a token of its own from the
 * container's env (CONSUL_HTTP_TOKEN / CONSUL_HTTP_TOKEN_FILE).
 *
 * After each case the lab reads `consul members` (every server's LAN view) and the catalog
 * (/v1/catalog/nodes with each node's serfHealth) and prints one side-by-side table at the end.
 * GOSSIP_LAB_VERBOSE=1 also prints the final views and the agents' logs.
 */
import { randomUUID } from 'node:crypto';
import type { Pod } from '../../src/k8s/types.js';
import { mutatePod } from '../../src/mutate/pod.js';
import { BUILTIN_PROFILES } from '../../src/profiles/builtin.js';
import { createProfileSet } from '../../src/profiles/profile-set.js';
import { loadReview } from '../helpers/fixtures.js';
import { reserveFixedBlock, type AddressBlock } from '../gossip-lab/addresses.js';
import { holdsFor, waitUntil, type Check } from '../gossip-lab/wait.js';
import { LabProcess, runCommand, toolPath } from '../helpers/lab-process.js';
import { LabDir, catalog, describeCatalog, describeMembers, members, startServer, type CatalogNode, type ConsulMember } from './consul.js';
import { ConsulClientSet, type Admit, type ClientIncarnation } from './statefulset.js';

const VERBOSE = process.env['GOSSIP_LAB_VERBOSE'] === '1';
const PREFIX = '127.79.85';
const BUILD_MS = 30 * 60_000;
const SERVERS_UP_MS = 60_000;
const CLUSTER_UP_MS = 30_000;
/** Consul lets a new address take a dead node's name after 30 s (DeadNodeReclaimTime); allow for detection too. */
const REJOIN_WITHIN_MS = 75_000;
const STAYS_MS = 5_000;
const CASE_MS = 150_000;

const MANAGEMENT_TOKEN = randomUUID();

const shipped = createProfileSet(BUILTIN_PROFILES);
const withoutWebhook: Admit = (pod) => pod;
function admitWith(profiles: typeof shipped): Admit {
  return (pod) => {
    const r = mutatePod(pod, { profiles });
    if (r.profile !== 'consul') throw new Error(`expected the consul profile, got ${r.profile ?? 'none'}`);
    lastWarnings = r.warnings;
    return r.object;
  };
}
let lastWarnings: readonly string[] = [];

let consulBin = '';
let block: AddressBlock;
let lab: LabDir;
const servers: LabProcess[] = [];
let serverIps: string[] = [];
const sets: ConsulClientSet[] = [];
const table: [string, string, string][] = [];

/**
 * The client pod template: the recorded consul-k8s-style client (a DaemonSet's pod template),
 * run as a StatefulSet `client`, on this lab's Consul version. Its container names the node
 * after GOSSIP_NODE_NAME when the pod has one and after the hostname (the pod name) otherwise.
 */
function clientTemplate(env: Record<string, string> = {}): Pod {
  const ds = loadReview('daemonset-create-consul.json').request.object as { spec: { template: Pod } };
  const pod: Pod = { apiVersion: 'v1', kind: 'Pod', ...structuredClone(ds.spec.template) };
  const c = pod.spec!.containers.find((x) => x.name === 'consul')!;
  c.image = 'hashicorp/consul:1.14.8';
  c.command = ['/bin/sh', '-c', 'exec consul agent -node="${GOSSIP_NODE_NAME:-$HOSTNAME}" "$@"', 'consul'];
  c.args = [];
  // spec.nodeName is not simulated, and the template's own preStop would hide what gossip-safe adds.
  c.env = Object.entries(env).map(([name, value]) => ({ name, value }));
  delete c.lifecycle;
  return pod;
}

/**
 * A StatefulSet of client pods. The servers outlive the cases, so each case names its StatefulSet
 * differently: a dead `web-2` of one case must not meet the `web-2` of the next.
 */
function clientSet(name: string, admit: Admit, template: Pod = clientTemplate()): ConsulClientSet {
  const s = new ConsulClientSet({ name, template, admit, lab, servers: serverIps, agentToken: MANAGEMENT_TOKEN });
  sets.push(s);
  return s;
}

async function views(): Promise<{ views: [string, ConsulMember[]][]; catalog: CatalogNode[] }> {
  const v = await Promise.all(serverIps.map(async (ip, i) => [`consul-server-${i} (${ip})`, await members(ip, MANAGEMENT_TOKEN)] as [string, ConsulMember[]]));
  return { views: v, catalog: await catalog(serverIps[0]!, MANAGEMENT_TOKEN) };
}

function render(o: { views: [string, ConsulMember[]][]; catalog: CatalogNode[] }): string {
  return `${o.views.map(([n, v]) => describeMembers(n, v)).join('\n')}\n${describeCatalog(o.catalog)}`;
}

/** Every server lists `inc` once under its name, alive at its address, and the catalog has it at its IP, serfHealth passing. */
function joined(inc: ClientIncarnation): Check {
  return async () => {
    const o = await views();
    const inViews = o.views.every(([, v]) => {
      const e = v.filter((m) => m.name === inc.nodeName);
      return e.length === 1 && e[0]!.addr === inc.lanAddr && e[0]!.status === 'alive';
    });
    const c = o.catalog.filter((n) => n.name === inc.nodeName);
    const inCatalog = c.length === 1 && c[0]!.address === inc.ip && c[0]!.serfHealth === 'passing';
    return { ok: inViews && inCatalog, detail: render(o) };
  };
}

/** Ghosts of `old`: members listing its name at its address as failed, catalog entries of it that are critical. */
async function ghosts(old: ClientIncarnation): Promise<{ failedMembers: number; criticalInCatalog: number; detail: string }> {
  const o = await views();
  const failedMembers = o.views.filter(([, v]) => v.some((m) => m.name === old.nodeName && m.addr === old.lanAddr && m.status === 'failed')).length;
  const criticalInCatalog = o.catalog.filter((n) => n.name === old.nodeName && n.address === old.ip && n.serfHealth === 'critical').length;
  return { failedMembers, criticalInCatalog, detail: render(o) };
}

/** Whether every server still lists `old`'s name alive at its old address and the catalog has it passing there. */
async function stillAliveAt(old: ClientIncarnation): Promise<boolean> {
  const o = await views();
  return (
    o.views.every(([, v]) => v.some((m) => m.name === old.nodeName && m.addr === old.lanAddr && m.status === 'alive')) &&
    o.catalog.some((n) => n.name === old.nodeName && n.address === old.ip && n.serfHealth === 'passing')
  );
}

/** Who holds a node name: each server's member entry for it, and the catalog's node. */
async function holderOf(name: string): Promise<string> {
  const o = await views();
  const m = [...new Set(o.views.map(([, v]) => v.filter((x) => x.name === name).map((x) => `${x.addr} ${x.status}`).join(',') || 'none'))];
  const c = o.catalog.filter((n) => n.name === name).map((n) => `${n.address} ${n.serfHealth}`);
  return `members ${m.join(' | ')}, catalog ${c.join(',') || 'none'}`;
}

/**
 * Whether the dead agent still holds `name`: every server lists it once at its old `addr`, and the
 * catalog has no passing node of that name at the new IP. Says how (for the table), else undefined.
 */
async function heldBy(name: string, addr: string, newIp: string): Promise<string | undefined> {
  const o = await views();
  const entries = o.views.map(([, v]) => v.filter((m) => m.name === name));
  if (!entries.every((e) => e.length === 1 && e[0]!.addr === addr)) return undefined;
  if (o.catalog.some((n) => n.name === name && n.address === newIp && n.serfHealth === 'passing')) return undefined;
  const c = o.catalog.find((n) => n.name === name);
  return `member = dead agent (${entries[0]![0]!.status}); catalog: ${c === undefined ? 'none' : `${c.address === newIp ? 'new' : 'old'} IP, ${c.serfHealth}`}`;
}

async function startClients(set: ConsulClientSet, first: number): Promise<ClientIncarnation[]> {
  const incs = await Promise.all([0, 1, 2].map((i) => set.start(i, block.address(first + i))));
  for (const inc of incs) await waitUntil(`${inc.podName} joined`, joined(inc), { timeoutMs: CLUSTER_UP_MS });
  return incs;
}

function conflictLogged(name: string): boolean {
  return servers.some((s) => s.log.includes(`Conflicting address for ${name}`) || s.log.includes(`conflicting address for ${name}`));
}

interface CrashOutcome {
  readonly old: ClientIncarnation;
  readonly fresh: ClientIncarnation;
  readonly conflict: boolean;
  readonly joinedAfterMs: number | undefined;
  readonly ghost: { failedMembers: number; criticalInCatalog: number; detail: string };
  readonly summary: string;
  /** Who holds the old name now (members and catalog). */
  readonly holder: string;
  /** What the servers and the catalog showed while waiting for the new pod, in order. */
  readonly history: readonly string[];
}

/**
 * client-2 crashes (SIGKILL) and its replacement starts at once on host `newHost`; with
 * `reuseHost`, another pod (client-3, a new member) starts on client-2's old IP first.
 */
async function crashAndReturn(set: ConsulClientSet, first: number, newHost: number, reuse: boolean): Promise<CrashOutcome> {
  const [, , old] = await startClients(set, first);
  await set.crash(old!);
  const t0 = Date.now();
  let other: ClientIncarnation | undefined;
  if (reuse) other = await set.start(3, old!.ip);
  const fresh = await set.start(2, block.address(newHost));
  let joinedAfterMs: number | undefined;
  const stay = await holdsFor(joined(fresh), { withinMs: REJOIN_WITHIN_MS, holdMs: STAYS_MS, minSamples: 5, intervalMs: 250, giveUp: () => !fresh.agent.running });
  if (stay.held) joinedAfterMs = Date.now() - t0 - STAYS_MS;
  if (other !== undefined) await waitUntil('client-3 joined on the reused IP', joined(other), { timeoutMs: CLUSTER_UP_MS });
  const ghost = await ghosts(old!);
  const ghostAlive = await stillAliveAt(old!);
  const conflict = conflictLogged(old!.nodeName);
  const summary = [
    `names ${old!.nodeName === fresh.nodeName ? 'same' : 'per incarnation'}`,
    conflict ? 'conflict' : 'no conflict',
    joinedAfterMs === undefined ? `NOT joined in ${REJOIN_WITHIN_MS / 1000} s` : `joined after ${Math.round(joinedAfterMs / 1000)} s`,
    ghostAlive ? 'old IP still alive + passing' : `ghost: ${ghost.failedMembers > 0 ? 'failed member' : 'none'}`,
  ].join('; ');
  if (VERBOSE) console.log(`${summary}\n${ghost.detail}\n${set.incarnations.map((i) => `--- ${i.agent.label}\n${i.agent.log}`).join('\n')}`);
  return { old: old!, fresh, conflict, joinedAfterMs, ghost, summary, holder: await holderOf(old!.nodeName), history: stay.history };
}

beforeAll(async () => {
  consulBin = toolPath('scripts/tools/consul.sh', BUILD_MS);
  block = reserveFixedBlock(PREFIX, 'consul lab');
  lab = new LabDir(consulBin);
  serverIps = [2, 3, 4].map((n) => block.address(n));
  servers.push(...serverIps.map((ip, n) => startServer(consulBin, lab, n, ip, serverIps, MANAGEMENT_TOKEN)));
  await Promise.all(servers.map((s) => s.ready(SERVERS_UP_MS)));
  await waitUntil(
    'the three servers elect a leader',
    async () => {
      const res = await fetch(`http://${serverIps[0]}:8500/v1/status/leader`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
      const leader = res?.ok === true ? ((await res.json()) as string) : '';
      return { ok: leader !== '', detail: `leader: ${JSON.stringify(leader)}` };
    },
    { timeoutMs: SERVERS_UP_MS },
  );
}, BUILD_MS + SERVERS_UP_MS * 2);

afterEach(async () => {
  await Promise.all(sets.splice(0).map((s) => s.destroy()));
});

afterAll(async () => {
  await Promise.all(sets.splice(0).map((s) => s.destroy()));
  await Promise.all(servers.splice(0).map((s) => s.destroy()));
  lab?.remove();
  block?.release();
  if (table.length > 0) {
    const w = Math.max(...table.map((r) => r[1].length), 20) + 2;
    console.log(
      [
        'consul lab (Consul v1.14.8, 3 servers + a StatefulSet of 3 clients per case, ACLs on), pod -2:',
        `${'case'.padEnd(34)}${'without gossip-safe'.padEnd(w)}with gossip-safe`,
        ...table.map(([c, a, b]) => `${c.padEnd(34)}${a.padEnd(w)}${b}`),
      ].join('\n'),
    );
  }
});

const rows = new Map<string, { without?: string; with?: string }>();
function row(name: string, side: 'without' | 'with', text: string): void {
  const r = rows.get(name) ?? {};
  r[side] = text;
  rows.set(name, r);
  if (r.without !== undefined && r.with !== undefined) table.push([name, r.without, r.with]);
}

function describeOutcome(o: CrashOutcome): string {
  return `${o.summary}; ${o.holder}\n${o.history.join('\n')}\n${o.ghost.detail}`;
}

test(
  'crash, back at once on a new IP, without gossip-safe: under the pod name the new agent is not let in; the member is the dead agent, the catalog node critical',
  async () => {
    const o = await crashAndReturn(clientSet('web', withoutWebhook), 10, 20, false);
    expect(o.fresh.nodeName).toBe('web-2');
    expect(o.old.nodeName).toBe('web-2');
    // Consul's memberlist refuses the name from the new address...
    expect(o.conflict).toBe(true);
    if (o.joinedAfterMs !== undefined) throw new Error(`consul lab: the new web-2 joined after all:\n${describeOutcome(o)}`);
    // ...while the LAN member web-2 is still the dead agent at its old address (alive at first,
    // failed later), and the catalog has no passing web-2 at the new IP: its services are down.
    const held = await heldBy(o.old.nodeName, o.old.lanAddr, o.fresh.ip);
    if (held === undefined) throw new Error(`consul lab: web-2 is not held by the dead agent:\n${describeOutcome(o)}`);
    expect(o.fresh.agent.running).toBe(true);
    row('crash, new IP', 'without', `same name; conflict; not let in for ${REJOIN_WITHIN_MS / 1000} s; ${held}`);
  },
  CASE_MS,
);

test(
  'crash, back at once on a new IP, with gossip-safe (per-incarnation name without persistent data): joins at once; the old one is failed and critical',
  async () => {
    const o = await crashAndReturn(clientSet('api', admitWith(shipped)), 30, 40, false);
    expect(o.fresh.nodeName).toBe(o.fresh.uid);
    expect(o.conflict).toBe(false);
    if (o.joinedAfterMs === undefined) throw new Error(`consul lab: the new api-2 did not join and stay:\n${describeOutcome(o)}`);
    // The old incarnation stays as a ghost: failed in every server's view, critical in the catalog
    // (until reconnect_timeout, 72 h by default; Consul refuses less than 8 h).
    await waitUntil('the old incarnation is failed everywhere and critical in the catalog', async () => {
      const g = await ghosts(o.old);
      return { ok: g.failedMembers === serverIps.length && g.criticalInCatalog === 1, detail: g.detail };
    }, { timeoutMs: 30_000 });
    row('crash, new IP', 'with', `new name; no conflict; joined after ${Math.round((o.joinedAfterMs ?? 0) / 1000)} s; old: failed member + critical node (72 h)`);
  },
  CASE_MS,
);

test(
  'crash, IP reused by another pod, without gossip-safe: the new pod on the old IP joins, the restarted one is still shut out',
  async () => {
    const o = await crashAndReturn(clientSet('cache', withoutWebhook), 50, 60, true);
    expect(o.conflict).toBe(true);
    if (o.joinedAfterMs !== undefined) throw new Error(`consul lab: the new cache-2 joined after all:\n${describeOutcome(o)}`);
    row('crash, old IP taken by pod -3', 'without', `same name; conflict; not let in for ${REJOIN_WITHIN_MS / 1000} s; -3 joined`);
  },
  CASE_MS,
);

test(
  'crash, IP reused by another pod, with gossip-safe: both join at once; the old one is failed',
  async () => {
    const o = await crashAndReturn(clientSet('queue', admitWith(shipped)), 70, 80, true);
    expect(o.conflict).toBe(false);
    if (o.joinedAfterMs === undefined) throw new Error(`consul lab: the new queue-2 did not join and stay:\n${describeOutcome(o)}`);
    await waitUntil('the old incarnation is failed everywhere', async () => {
      const g = await ghosts(o.old);
      return { ok: g.failedMembers === serverIps.length, detail: g.detail };
    }, { timeoutMs: 30_000 });
    row('crash, old IP taken by pod -3', 'with', `new name; joined after ${Math.round((o.joinedAfterMs ?? 0) / 1000)} s; old: failed member; -3 joined`);
  },
  CASE_MS,
);

/** A graceful stop of client-2 whose container has the token file env; returns what the servers and catalog showed. */
async function gracefulCase(name: string, admit: Admit, first: number): Promise<{ stop: Awaited<ReturnType<ConsulClientSet['gracefulStop']>>; summary: string; inc: ClientIncarnation }> {
  const tokenFile = lab.file(`acl-token-${first}`, MANAGEMENT_TOKEN);
  const set = clientSet(name, admit, clientTemplate({ CONSUL_HTTP_TOKEN_FILE: tokenFile }));
  const [, , c2] = await startClients(set, first);
  const stop = await set.gracefulStop(c2!);
  await waitUntil('every server shows pod -2 left, and the catalog has no passing check for it', async () => {
    const o = await views();
    const left = o.views.every(([, v]) => v.some((m) => m.name === c2!.nodeName && m.status === 'left'));
    return { ok: left && !o.catalog.some((n) => n.name === c2!.nodeName && n.serfHealth !== 'missing'), detail: render(o) };
    // The leader drops the left member's serfHealth check in its reconcile loop; on a loaded
    // 2-core machine that took longer than 15 s (a CI failure), so the bound is 60 s.
  }, { timeoutMs: 60_000 });
  const inCatalog = (await views()).catalog.some((n) => n.name === c2!.nodeName);
  const hook = stop.preStop === undefined ? 'no preStop; SIGTERM' : `preStop "${stop.preStop.join(' ')}" exit ${stop.preStopExit}`;
  return { stop, inc: c2!, summary: `${hook}; left; ${inCatalog ? 'catalog: node kept, serfHealth gone' : 'gone from catalog'}` };
}

test(
  'graceful stop with ACLs on, without gossip-safe: SIGTERM alone makes a client leave (leave_on_terminate)',
  async () => {
    const g = await gracefulCase('acl', withoutWebhook, 110);
    expect(g.stop.preStop).toBeUndefined();
    expect(g.inc.agent.log).toContain('Gracefully shutting down agent');
    row('graceful stop, ACLs, token file', 'without', g.summary);
  },
  CASE_MS,
);

test(
  "graceful stop with ACLs on, with gossip-safe: the injected `consul leave` uses the container's token file and succeeds",
  async () => {
    const g = await gracefulCase('tok', admitWith(shipped), 120);
    expect(g.stop.preStop).toEqual(['consul', 'leave']);
    expect({ exit: g.stop.preStopExit, out: g.stop.preStopOutput }).toEqual({ exit: 0, out: expect.stringContaining('Graceful leave complete') });
    row('graceful stop, ACLs, token file', 'with', g.summary);
  },
  CASE_MS,
);

test(
  'without a token in its env, `consul leave` in the container gets 403, so gossip-safe does not inject it and says why',
  async () => {
    const set = clientSet('bare', admitWith(shipped));
    const [, , c2] = await startClients(set, 130);
    expect(c2!.container.lifecycle?.preStop).toBeUndefined();
    expect(lastWarnings.join('\n')).toMatch(/consul leave.*not added.*CONSUL_HTTP_TOKEN/s);
    // What the hook would have done: the real CLI in the container's env, without a token.
    const res = await runCommand(['consul', 'leave'], c2!.processEnv, 10_000);
    expect(res.code).not.toBe(0);
    expect(res.output).toMatch(/403|Permission denied/);
    row('leave hook without a token', 'without', '(no hook)');
    row('leave hook without a token', 'with', `not injected, warned; consul leave would get ${/403 \([A-Za-z ]+/.exec(res.output)?.[0] ?? 'an error'})`);
  },
  CASE_MS,
);
