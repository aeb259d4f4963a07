/**
 * The memberlist lab: the project's own memberlist app (test/memberlist-lab/app, a real
 * github.com/hashicorp/memberlist node) on 127.79.86.0/24, one per simulated pod of a StatefulSet
 * `app`, each admitted through gossip-safe's real mutation with the `memberlist` profile (the
 * image declared with `extraImages`, as a user does) or not admitted at all (the control), and
 * started as the kubelet would: env from the downward API, `$(VAR)` expanded; a graceful stop is
 * the preStop (if any), then SIGTERM, then SIGKILL after the grace period.
 *
 * Each case prints one row of a side-by-side table at the end (GOSSIP_LAB_VERBOSE=1 adds every
 * final view and the apps' logs).
 */
import { randomUUID } from 'node:crypto';
import type { Pod } from '../../src/k8s/types.js';
import { mutatePod } from '../../src/mutate/pod.js';
import { profilesFromConfig } from '../../src/profiles/config.js';
import { createProfileSet } from '../../src/profiles/profile-set.js';
import { reserveFixedBlock, type AddressBlock } from '../gossip-lab/addresses.js';
import { resolveContainerEnv } from '../gossip-lab/kubelet-env.js';
import { holdsFor, waitUntil, type Check } from '../gossip-lab/wait.js';
import { LabProcess, runCommand, toolPath } from '../helpers/lab-process.js';

const VERBOSE = process.env['GOSSIP_LAB_VERBOSE'] === '1';
const PREFIX = '127.79.86';
const GOSSIP_PORT = 7946;
const HTTP_PORT = 7947;
const APP_IMAGE = 'registry.example/team/chat-app:1.4.2';

const BUILD_MS = 15 * 60_000;
const START_MS = 10_000;
const CLUSTER_UP_MS = 15_000;
/** A new incarnation must be alive in every peer's view within this, and stay so. */
const JOIN_WITHIN_MS = 10_000;
const STAY_ALIVE_MS = 4_000;
/** The local profile: a dead member is forgotten after 15 s (GossipToTheDeadTime). */
const EVENTUALLY_MS = 60_000;
const CASE_MS = 110_000;

// The user's config: their memberlist app image, claimed by the memberlist profile.
const profiles = createProfileSet(profilesFromConfig({ profiles: { memberlist: { extraImages: ['team/chat-app'] } } }, 'lab config'));

type Admit = (pod: Pod) => Pod;
const withoutWebhook: Admit = (pod) => pod;
const withGossipSafe: Admit = (pod) => {
  const r = mutatePod(pod, { profiles });
  if (r.profile !== 'memberlist') throw new Error(`expected the memberlist profile, got ${r.profile ?? 'none'}`);
  return r.object;
};

interface Member {
  readonly name: string;
  readonly addr: string;
  readonly state: string;
}

interface Incarnation {
  readonly podName: string;
  readonly uid: string;
  readonly ip: string;
  readonly pod: Pod;
  readonly nodeName: string;
  readonly gossipAddr: string;
  readonly env: Readonly<Record<string, string>>;
  readonly app: LabProcess;
}

let appBin = '';
let block: AddressBlock;
const started: LabProcess[] = [];
const rows: string[] = [];

function template(): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { labels: { app: 'chat' } },
    spec: {
      terminationGracePeriodSeconds: 30,
      containers: [{ name: 'app', image: APP_IMAGE, env: [{ name: 'CHAT_ROLE', value: 'backend' }] }],
    },
  };
}

async function members(ip: string): Promise<Member[]> {
  const res = await fetch(`http://${ip}:${HTTP_PORT}/members`, { signal: AbortSignal.timeout(2_000) });
  if (!res.ok) throw new Error(`GET /members on ${ip}: ${res.status}`);
  return (await res.json()) as Member[];
}

function describe(views: readonly (readonly [Incarnation, readonly Member[]])[]): string {
  return views
    .map(([v, view]) => `  ${v.podName} (${v.ip}) sees:\n${view.map((m) => `    ${m.name}  ${m.addr}  ${m.state}`).join('\n')}`)
    .join('\n');
}

/** Every viewer lists `name` once, at `addr`, in `state`. */
function everyViewShows(viewers: readonly Incarnation[], name: string, addr: string, state: string): Check {
  return async () => {
    const views = await Promise.all(viewers.map(async (v) => [v, await members(v.ip)] as const));
    const ok = views.every(([, view]) => {
      const e = view.filter((m) => m.name === name);
      return e.length === 1 && e[0]!.addr === addr && e[0]!.state === state;
    });
    return { ok, detail: describe(views) };
  };
}

async function start(admit: Admit, ordinal: number, ip: string, join: readonly string[]): Promise<Incarnation> {
  const raw = template();
  raw.metadata = { ...raw.metadata, name: `app-${ordinal}`, namespace: 'chat' };
  const pod = admit(raw);
  const container = pod.spec!.containers[0]!;
  const uid = randomUUID();
  const podName = `app-${ordinal}`;
  const env = resolveContainerEnv(container, { uid, name: podName, namespace: 'chat', ip });
  const app = new LabProcess({
    label: `${podName} uid ${uid} at ${ip}`,
    // The image's entrypoint, plus the lab's stand-in for the pod network (own IP) and fast timings.
    argv: [
      appBin,
      `-bind=${ip}`,
      `-port=${GOSSIP_PORT}`,
      `-http=${ip}:${HTTP_PORT}`,
      '-profile=local',
      ...(join.length > 0 ? [`-join=${join.map((j) => `${j}:${GOSSIP_PORT}`).join(',')}`] : []),
    ],
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOSTNAME: podName, ...env },
    readyText: 'memberlist app running: ',
  });
  started.push(app);
  await app.ready(START_MS);
  const nodeName = /memberlist app running: (\S+)/.exec(app.log)![1]!;
  return { podName, uid, ip, pod, nodeName, gossipAddr: `${ip}:${GOSSIP_PORT}`, env, app };
}

async function cluster(admit: Admit, first: number): Promise<{ peers: Incarnation[]; app2: Incarnation }> {
  const ips = [0, 1, 2].map((i) => block.address(first + i));
  const a0 = await start(admit, 0, ips[0]!, []);
  const [a1, a2] = await Promise.all([start(admit, 1, ips[1]!, [ips[0]!]), start(admit, 2, ips[2]!, [ips[0]!])]);
  const all = [a0, a1, a2];
  await waitUntil(
    'app-0, app-1 and app-2 see each other alive',
    async () => {
      const views = await Promise.all(all.map(async (v) => [v, await members(v.ip)] as const));
      const ok = views.every(([, view]) => all.every((e) => view.some((m) => m.name === e.nodeName && m.addr === e.gossipAddr && m.state === 'alive')));
      return { ok, detail: describe(views) };
    },
    { timeoutMs: CLUSTER_UP_MS },
  );
  return { peers: [a0, a1], app2: a2 };
}

async function crash(inc: Incarnation): Promise<void> {
  inc.app.kill('SIGKILL');
  if (!(await inc.app.waitForExit(5_000))) throw new Error(`memberlist lab: ${inc.app.label} survived SIGKILL`);
}

/** The kubelet's pod deletion: preStop exec (if any), SIGTERM, SIGKILL after the grace period. */
async function gracefulStop(inc: Incarnation): Promise<{ preStop: boolean; exit: number | null }> {
  const graceMs = (inc.pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000;
  const t0 = Date.now();
  const hook = inc.pod.spec?.containers[0]?.lifecycle?.preStop?.exec?.command ?? undefined;
  if (hook !== undefined) await runCommand(hook, { PATH: process.env['PATH'] ?? '', ...inc.env }, graceMs);
  inc.app.kill('SIGTERM');
  if (!(await inc.app.waitForExit(Math.max(0, graceMs - (Date.now() - t0))))) await inc.app.destroy();
  return { preStop: hook !== undefined, exit: inc.app.exitStatus?.code ?? null };
}

function conflictLogged(peers: readonly Incarnation[], name: string): boolean {
  return peers.every((p) => p.app.log.includes(`Conflicting address for ${name}.`));
}

async function finalViews(title: string, peers: readonly Incarnation[]): Promise<void> {
  if (!VERBOSE) return;
  const views = await Promise.all(peers.map(async (p) => [p, await members(p.ip)] as const));
  console.log(`${title}\n${describe(views)}\n${started.map((a) => `--- ${a.label}\n${a.log}`).join('\n')}`);
}

beforeAll(() => {
  appBin = toolPath('scripts/tools/memberlist-app.sh', BUILD_MS);
  block = reserveFixedBlock(PREFIX, 'memberlist lab');
}, BUILD_MS + 10_000);

afterEach(async () => {
  await Promise.all(started.splice(0).map((a) => a.destroy()));
});

afterAll(async () => {
  await Promise.all(started.splice(0).map((a) => a.destroy()));
  block?.release();
  if (rows.length > 0) {
    console.log(
      [
        'memberlist lab (memberlist v0.7.0, local timings), app-2 of 3:',
        `${'case'.padEnd(34)}${'without gossip-safe'.padEnd(52)}with gossip-safe`,
        ...rows,
      ].join('\n'),
    );
  }
});

const crashRow: Record<string, string> = {};
const stopRow: Record<string, string> = {};
function addRow(row: Record<string, string>, title: string): void {
  if (row['without'] !== undefined && row['with'] !== undefined) rows.push(`${title.padEnd(34)}${row['without'].padEnd(52)}${row['with']}`);
}

test(
  'control, without gossip-safe: app-2 crashes and comes back on a new IP with the same name; peers reject it until the ghost is forgotten',
  async () => {
    const { peers, app2: old } = await cluster(withoutWebhook, 2);
    expect(old.nodeName).toBe('app-2');
    await crash(old);
    const t0 = Date.now();
    const fresh = await start(withoutWebhook, 2, block.address(5), peers.map((p) => p.ip));
    expect(fresh.nodeName).toBe('app-2');

    // memberlist's answer to the same name from another address while the old one is not yet dead.
    await waitUntil('peers log the address conflict for app-2', () => ({ ok: conflictLogged(peers, 'app-2'), detail: peers.map((p) => p.app.log).join('\n') }), {
      timeoutMs: JOIN_WITHIN_MS,
    });
    // It does get in once the old member is dead and forgotten: that is the outage's length.
    await waitUntil('peers finally list app-2 alive at its new address', everyViewShows(peers, 'app-2', fresh.gossipAddr, 'alive'), {
      timeoutMs: EVENTUALLY_MS,
      intervalMs: 250,
    });
    const joinedAfter = Date.now() - t0;
    crashRow['without'] = `conflict; rejected, joined after ${(joinedAfter / 1000).toFixed(0)} s`;
    await finalViews('memberlist case 1 (control)', peers);
  },
  CASE_MS,
);

test(
  "with gossip-safe's memberlist profile: the crashed app-2 comes back under a new name, joins at once and stays; the old one is only dead",
  async () => {
    const { peers, app2: old } = await cluster(withGossipSafe, 10);
    expect(old.nodeName).toBe(old.uid);
    await crash(old);
    const t0 = Date.now();
    const fresh = await start(withGossipSafe, 2, block.address(13), peers.map((p) => p.ip));
    expect(fresh.nodeName).toBe(fresh.uid);
    const stay = await holdsFor(everyViewShows(peers, fresh.nodeName, fresh.gossipAddr, 'alive'), {
      withinMs: JOIN_WITHIN_MS,
      holdMs: STAY_ALIVE_MS,
      giveUp: () => !fresh.app.running,
    });
    if (!stay.held) throw new Error(`memberlist lab: the new app-2 did not join and stay alive:\n${stay.history.join('\n')}`);
    const joinedAfter = Date.now() - t0 - STAY_ALIVE_MS;
    await waitUntil('peers list the old app-2 incarnation dead at its old address', everyViewShows(peers, old.nodeName, old.gossipAddr, 'dead'), {
      timeoutMs: 30_000,
    });
    expect(peers.map((p) => p.app.log).join('\n')).not.toContain('Conflicting address');
    crashRow['with'] = `no conflict; joined within ${Math.max(1, Math.ceil(joinedAfter / 1000))} s; old one dead`;
    addRow(crashRow, 'crash, back on a new IP');
    await finalViews('memberlist case 2 (gossip-safe)', peers);
  },
  CASE_MS,
);

for (const [label, admit] of [
  ['without gossip-safe', withoutWebhook],
  ['with gossip-safe', withGossipSafe],
] as const) {
  test(
    `graceful stop ${label}: SIGTERM makes app-2 leave (peers show left), and the replacement on a new IP joins at once`,
    async () => {
      const { peers, app2: old } = await cluster(admit, label === 'with gossip-safe' ? 30 : 20);
      const stop = await gracefulStop(old);
      // The memberlist profile injects no exec preStop: the app has no CLI, and leaves on SIGTERM.
      expect(stop).toEqual({ preStop: false, exit: 0 });
      expect(old.app.log).toContain('memberlist app left');
      if (admit === withGossipSafe) expect(old.pod.spec?.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(20);
      await waitUntil('peers show app-2 left', everyViewShows(peers, old.nodeName, old.gossipAddr, 'left'), { timeoutMs: 10_000 });
      const t0 = Date.now();
      const fresh = await start(admit, 2, block.address(label === 'with gossip-safe' ? 33 : 23), peers.map((p) => p.ip));
      const stay = await holdsFor(everyViewShows(peers, fresh.nodeName, fresh.gossipAddr, 'alive'), {
        withinMs: JOIN_WITHIN_MS,
        holdMs: STAY_ALIVE_MS,
        giveUp: () => !fresh.app.running,
      });
      if (!stay.held) throw new Error(`memberlist lab: the replacement app-2 did not join and stay alive:\n${stay.history.join('\n')}`);
      stopRow[label === 'with gossip-safe' ? 'with' : 'without'] = `left; replacement joined within ${Math.max(1, Math.ceil((Date.now() - t0 - STAY_ALIVE_MS) / 1000))} s`;
      addRow(stopRow, 'graceful stop (SIGTERM), new IP');
      await finalViews(`memberlist graceful stop ${label}`, peers);
    },
    CASE_MS,
  );
}
