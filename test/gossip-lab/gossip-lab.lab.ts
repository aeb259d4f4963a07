/**
 * The gossip lab: real Serf agents (Debian's `serf` package) on loopback addresses, one per
 * simulated pod of a StatefulSet `db`. Each pod is built from the recorded Serf pod, admitted
 * through gossip-safe's real mutation (or not, for the control case), and started the way the
 * kubelet would start it: env resolved from the downward API and `$(VAR)` references, command
 * and args expanded, the preStop hook run exactly as injected. See docs/ghost-nodes.md for the problem.
 *
 * Parameters (environment):
 *   GOSSIP_LAB_OMIT_NODE_NAME=1  admit pods with gossip-safe's mutation minus GOSSIP_NODE_NAME,
 *                                to show that case 2 measures the injection (it then fails).
 *   GOSSIP_LAB_VERBOSE=1         print every case's final membership views and agent logs.
 */
import { ENV_GOSSIP_NODE_NAME } from '../../src/contract.js';
import type { Pod } from '../../src/k8s/types.js';
import { mutatePod } from '../../src/mutate/pod.js';
import { BUILTIN_PROFILES } from '../../src/profiles/builtin.js';
import { createProfileSet } from '../../src/profiles/profile-set.js';
import { loadReview } from '../helpers/fixtures.js';
import { reserveAddressBlock, type AddressBlock } from './addresses.js';
import { allAlive, everyViewShows, onlyLeftAt } from './membership.js';
import { membersText, requireSerf } from './serf.js';
import { SerfStatefulSet, type Admit, type Incarnation } from './statefulset.js';
import { holdsFor, waitUntil, type HoldResult } from './wait.js';

const OMIT_NODE_NAME = process.env['GOSSIP_LAB_OMIT_NODE_NAME'] === '1';
const VERBOSE = process.env['GOSSIP_LAB_VERBOSE'] === '1';

// Bounds. Serf's `local` profile detects a dead member in a few seconds.
const CASE_TIMEOUT_MS = 75_000;
const CLUSTER_UP_MS = 15_000;
/** A new incarnation must be alive in every peer's view within this... */
const JOIN_WITHIN_MS = 10_000;
/** ...and stay so, in every sample, for this long. */
const STAY_ALIVE_MS = 4_000;
// memberlist marks an unreachable member failed after its suspicion timeout, which grows to 6x
// (about 18 s in the local profile) when no other peer confirms the suspicion.
const FAILED_WITHIN_MS = 30_000;
const LEFT_WITHIN_MS = 10_000;
const LEFT_STAYS_MS = 3_000;

const profiles = createProfileSet(BUILTIN_PROFILES);

/**
 * The StatefulSet's pod template: the Serf pod recorded from a real kube-apiserver, named
 * `db-N`, whose container names its node after GOSSIP_NODE_NAME when the pod has it and after
 * the hostname (the pod name, Serf's own default) when it does not. One template for every
 * case, so the only difference between them is what admission did to the pod.
 */
function serfTemplate(): Pod {
  const pod = loadReview('pod-create-generatename-serf.json').request.object as Pod;
  const serf = pod.spec?.containers.find((c) => c.name === 'serf');
  if (serf === undefined) throw new Error('recorded pod has no serf container');
  serf.command = ['/bin/sh', '-c', 'exec serf agent -node="${GOSSIP_NODE_NAME:-$HOSTNAME}" "$@"', 'serf'];
  serf.args = [];
  return pod;
}

const withoutWebhook: Admit = (pod) => pod;

/** gossip-safe's mutating webhook, as it runs at pod CREATE. */
const withGossipSafe: Admit = (pod) => {
  const result = mutatePod(pod, { profiles });
  if (result.profile !== 'serf') throw new Error(`expected the serf profile, got ${result.profile ?? 'none'}`);
  if (!OMIT_NODE_NAME) return result.object;
  // Test parameter: the same mutation without the per-incarnation node name.
  const pod2 = structuredClone(result.object);
  for (const c of pod2.spec?.containers ?? []) c.env = c.env?.filter((e) => e.name !== ENV_GOSSIP_NODE_NAME);
  return pod2;
};

let block: AddressBlock;
const statefulSets: SerfStatefulSet[] = [];

function statefulSet(template: Pod, admit: Admit): SerfStatefulSet {
  const sts = new SerfStatefulSet({ name: 'db', namespace: 'consul', template, admit });
  statefulSets.push(sts);
  return sts;
}

/**
 * db-0 first, then db-1 and db-2 joining it, on hosts `first`, `first + 1`, `first + 2` of the
 * block; resolves when all three see each other alive.
 */
async function startCluster(sts: SerfStatefulSet, first: number): Promise<{ peers: Incarnation[]; db2: Incarnation }> {
  const [ip0, ip1, ip2] = [block.address(first), block.address(first + 1), block.address(first + 2)];
  const db0 = await sts.start(0, ip0, []);
  const [db1, db2] = await Promise.all([sts.start(1, ip1, [ip0]), sts.start(2, ip2, [ip0])]);
  const all = [db0, db1, db2];
  await waitUntil('db-0, db-1 and db-2 see each other alive', allAlive(all, all), { timeoutMs: CLUSTER_UP_MS });
  return { peers: [db0, db1], db2 };
}

/** Starts db-2 again at host `host`, joining the peers. */
function restartDb2(sts: SerfStatefulSet, host: number, peers: readonly Incarnation[]): Promise<Incarnation> {
  return sts.start(2, block.address(host), peers.map((p) => p.ip));
}

/** Whether `inc` becomes alive at its own address in every peer's view and stays so. */
function staysAlive(peers: readonly Incarnation[], inc: Incarnation): Promise<HoldResult> {
  return holdsFor(everyViewShows(peers, inc.nodeName, inc.gossipAddr, 'alive'), {
    withinMs: JOIN_WITHIN_MS,
    holdMs: STAY_ALIVE_MS,
    // Once its agent has quit, nothing can make it stay alive.
    giveUp: () => !inc.agent.running,
  });
}

function failHold(what: string, result: HoldResult, subject: Incarnation): never {
  const state = subject.agent.running ? 'still running' : 'exited';
  const complaints = subject.agent.log.split('\n').filter((l) => /\[(ERR|WARN)\]/.test(l));
  throw new Error(
    `gossip lab: ${what}. Observations, in order:\n${result.history.join('\n')}\n` +
      `${subject.agent.label}: ${state}; its errors and warnings:\n${complaints.join('\n')}`,
  );
}

function logs(incs: readonly Incarnation[]): string {
  return incs.map((i) => `--- ${i.agent.label}\n${i.agent.log}`).join('\n');
}

async function report(title: string, viewers: readonly Incarnation[], all: readonly Incarnation[]): Promise<void> {
  if (!VERBOSE) return;
  const views = await Promise.all(viewers.map(async (v) => `$ serf members   # on ${v.podName}, ${v.ip}\n${await membersText(v.rpcAddr)}`));
  console.log(`${title}\n${views.join('\n')}\n${logs(all)}`);
}

beforeAll(() => {
  // Fails every case with a clear message when serf is missing: CI installs it, so a skip would hide a broken setup.
  requireSerf();
  block = reserveAddressBlock();
  if (OMIT_NODE_NAME) console.warn('gossip lab: GOSSIP_LAB_OMIT_NODE_NAME=1, pods are admitted without GOSSIP_NODE_NAME');
});

afterEach(async () => {
  await Promise.all(statefulSets.splice(0).map((s) => s.destroy()));
});

afterAll(async () => {
  await Promise.all(statefulSets.splice(0).map((s) => s.destroy()));
  block?.release();
});

test(
  'control, without gossip-safe: db-2 restarted on a new address conflicts with its ghost and does not stay',
  async () => {
    const sts = statefulSet(serfTemplate(), withoutWebhook);
    const { peers, db2: oldDb2 } = await startCluster(sts, 2);
    expect(oldDb2.nodeName).toBe('db-2');

    await sts.crash(oldDb2);
    const newDb2 = await restartDb2(sts, 5, peers);
    expect(newDb2.nodeName).toBe('db-2');

    const stay = await staysAlive(peers, newDb2);
    if (stay.held) failHold('without gossip-safe, the restarted db-2 stayed alive at its new address', stay, newDb2);

    // The conflict, as an operator finds it in the logs.
    await waitUntil(
      'peers log the address conflict for db-2',
      () => ({
        ok: peers.every((p) => p.agent.log.includes(`Conflicting address for db-2. Mine: ${oldDb2.gossipAddr} Theirs: ${newDb2.gossipAddr}`)),
        detail: logs(peers),
      }),
      { timeoutMs: JOIN_WITHIN_MS },
    );
    await waitUntil(
      'the restarted db-2 loses the name-conflict vote and quits',
      () => ({
        ok: newDb2.agent.log.includes('minority in name conflict resolution') && !newDb2.agent.running,
        detail: logs([newDb2]),
      }),
      { timeoutMs: JOIN_WITHIN_MS },
    );
    // And the cluster is left with a ghost: db-2 at its old address, failed.
    await waitUntil('peers show db-2 failed at its old address', everyViewShows(peers, 'db-2', oldDb2.gossipAddr, 'failed'), {
      timeoutMs: FAILED_WITHIN_MS,
    });
    await report('case 1 (control)', peers, sts.incarnations);
  },
  CASE_TIMEOUT_MS,
);

test(
  "with gossip-safe's node name: db-2 restarted on a new address joins, stays alive, and its old incarnation is only failed",
  async () => {
    const sts = statefulSet(serfTemplate(), withGossipSafe);
    const { peers, db2: oldDb2 } = await startCluster(sts, 10);

    await sts.crash(oldDb2);
    const newDb2 = await restartDb2(sts, 13, peers);

    const stay = await staysAlive(peers, newDb2);
    if (!stay.held) failHold('the restarted db-2 did not stay alive at its new address in every peer view', stay, newDb2);
    expect(newDb2.agent.running).toBe(true);

    // The old incarnation is only a failed member (reaped later), not a rival for the name.
    await waitUntil(
      'peers show the old db-2 incarnation failed at its old address',
      everyViewShows(peers, oldDb2.nodeName, oldDb2.gossipAddr, 'failed'),
      { timeoutMs: FAILED_WITHIN_MS },
    );
    const still = await holdsFor(everyViewShows(peers, newDb2.nodeName, newDb2.gossipAddr, 'alive'), {
      withinMs: 0,
      holdMs: 1_000,
      minSamples: 3,
    });
    if (!still.held) failHold('the restarted db-2 was no longer alive once its old incarnation had failed', still, newDb2);
    expect(newDb2.agent.running).toBe(true);
    expect(peers.map((p) => p.agent.log).join('\n')).not.toContain('Conflicting address');

    // What made the difference: a per-incarnation node name, from the pod UID.
    expect(oldDb2.podName).toBe(newDb2.podName);
    expect(newDb2.nodeName).toBe(newDb2.uid);
    expect(oldDb2.nodeName).toBe(oldDb2.uid);
    await report('case 2 (gossip-safe node name)', peers, sts.incarnations);
  },
  CASE_TIMEOUT_MS,
);

test(
  "with gossip-safe's preStop: a graceful stop leaves the cluster (peers show left, not failed) and the replacement joins",
  async () => {
    const sts = statefulSet(serfTemplate(), withGossipSafe);
    const { peers, db2: oldDb2 } = await startCluster(sts, 20);

    const stop = await sts.gracefulStop(oldDb2);
    expect(stop.preStop).toEqual(['serf', 'leave']);
    expect({ exit: stop.preStopExit, output: stop.preStopOutput }).toEqual({ exit: 0, output: expect.stringContaining('Graceful leave complete') });
    // The leave itself ended the agent, before any SIGTERM.
    expect(stop.exitedAfterPreStop).toBe(true);

    const left = await holdsFor(everyViewShows(peers, oldDb2.nodeName, oldDb2.gossipAddr, 'left'), {
      withinMs: LEFT_WITHIN_MS,
      holdMs: LEFT_STAYS_MS,
    });
    if (!left.held) failHold('peers did not show the stopped db-2 as left (and keep it so)', left, oldDb2);

    const newDb2 = await restartDb2(sts, 23, peers);
    const stay = await staysAlive(peers, newDb2);
    if (!stay.held) failHold('the replacement db-2 did not stay alive in every peer view', stay, newDb2);
    expect(newDb2.agent.running).toBe(true);
    // Whatever peers still list at the old address has left; a graceful stop leaves no failed ghost.
    await waitUntil('peers list nothing failed at the old db-2 address', onlyLeftAt(peers, oldDb2.gossipAddr), { timeoutMs: 2_000 });
    await report('case 3 (gossip-safe preStop)', peers, sts.incarnations);
  },
  CASE_TIMEOUT_MS,
);
