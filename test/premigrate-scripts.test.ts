import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { premigrateScript } from '../src/premigrate/index.js';
import type { PremigrateScriptKind } from '../src/profiles/types.js';
import { createSandbox, runtimeEnv, SELF_HOST_ID, SOURCE, sstable, TARGET, type Sandbox, type SandboxOptions, type StatusPhase } from './helpers/premigrate-sandbox.js';

/**
 * The generated scripts run for real under dash against stub executables (see the sandbox).
 * Each scenario asserts the exit code, the marker, and the order drain -> stop -> exit -> marker.
 */
interface Flavour {
  readonly kind: PremigrateScriptKind;
  readonly sandbox: Pick<SandboxOptions, 'server' | 'withEntrypoint'>;
  /** How the stubbed server reports the stop the script used. */
  readonly stoppedBy: string;
  /** The client-traffic-off setting the server must be started with. */
  readonly trafficOff: string;
  /** Typical main-container args, which must reach the server. */
  readonly args: readonly string[];
}

const FLAVOURS: readonly Flavour[] = [
  {
    kind: 'cassandra',
    sandbox: { server: 'cassandra', withEntrypoint: true },
    stoppedBy: 'stopdaemon',
    trafficOff: '-Dcassandra.start_native_transport=false',
    args: ['-Dcassandra.ring_delay_ms=30000'],
  },
  {
    kind: 'scylla',
    sandbox: { server: 'docker-entrypoint.py' },
    stoppedBy: 'TERM',
    trafficOff: '--start-native-transport=0',
    args: ['--seeds', '10.244.2.7', '--smp', '1'],
  },
];

const CONVERGES: readonly StatusPhase[] = [
  { from: 1, fail: true },
  { from: 3, nodes: [['UJ', 'self'], ['UN', '10.244.2.7'], ['DN', '10.244.3.9']] },
  { from: 5, nodes: [['UN', 'self'], ['UN', '10.244.2.7'], ['DN', '10.244.3.9']] },
  { from: 7, nodes: [['UN', 'self'], ['UN', '10.244.2.7'], ['UN', '10.244.3.9']] },
];
const PEER_STAYS_DOWN: readonly StatusPhase[] = [{ from: 1, nodes: [['UN', 'self'], ['UN', '10.244.2.7'], ['DN', '10.244.3.9']] }];
const ALONE: readonly StatusPhase[] = [{ from: 1, nodes: [['UN', 'self']] }];

function seedNodeData(dataDir: string): void {
  const table = join(dataDir, 'data', 'system', 'local-7ad54392bcdd35a684174e047860b377');
  mkdirSync(table, { recursive: true });
  writeFileSync(join(table, 'nb-1-big-Data.db'), 'sstable');
  mkdirSync(join(dataDir, 'commitlog'));
  writeFileSync(join(dataDir, 'commitlog', 'CommitLog-7-1.log'), 'segment');
}

function writeMarker(dataDir: string, target: string): string {
  mkdirSync(join(dataDir, '.gossip-safe'), { recursive: true });
  const text = `${target}\nreason=gossip-accepted\n`;
  writeFileSync(join(dataDir, '.gossip-safe', 'premigrated'), text);
  return text;
}

function scriptFor(kind: PremigrateScriptKind, sb: Sandbox, dataDirs: readonly string[] = [sb.dataDir]): string {
  return premigrateScript(kind, { dataDirs, timeoutSeconds: 600 });
}

/** Drain, then the stop, then the server's exit with no marker yet; the marker only after. */
function expectCleanMigration(sb: Sandbox, flavour: Flavour, staleMarker = 'none'): void {
  const calls = sb.calls();
  const drain = calls.indexOf('nodetool drain');
  const exit = calls.findIndex((l) => l.startsWith('server exit'));
  expect(drain).toBeGreaterThanOrEqual(0);
  expect(exit).toBeGreaterThan(drain);
  expect(calls[exit]).toBe(`server exit by=${flavour.stoppedBy} drained=yes marker=${staleMarker}`);
  if (flavour.stoppedBy === 'stopdaemon') {
    const stop = calls.indexOf('nodetool stopdaemon');
    expect(stop).toBeGreaterThan(drain);
    expect(stop).toBeLessThan(exit);
  }
  const marker = sb.marker()?.split('\n') ?? [];
  expect(marker[0]).toBe(TARGET);
  expect(marker).toContain('reason=gossip-accepted');
}

function expectFailedWithoutMarker(sb: Sandbox, code: number | null): void {
  expect(code).toBe(1);
  expect(sb.marker()).toBeUndefined();
  expect(sb.calls()).not.toContain('nodetool drain');
}

describe.each(FLAVOURS)('$kind pre-migration script under dash', (flavour) => {
  let sb: Sandbox;
  afterEach(() => sb.cleanup());

  test('fresh node: marker written, exit 0, no server started', async () => {
    sb = createSandbox({ ...flavour.sandbox, status: ALONE });
    const res = await sb.run(scriptFor(flavour.kind, sb));
    expect(res.code).toBe(0);
    expect(sb.marker()?.split('\n')[0]).toBe(TARGET);
    expect(sb.marker()).toContain('reason=fresh-node');
    expect(sb.calls()).toEqual([]);
    expect(res.log.some((l) => l.includes('fresh node'))).toBe(true);
  });

  test('already migrated: marker naming the target means exit 0 at once, marker untouched', async () => {
    sb = createSandbox({ ...flavour.sandbox, status: ALONE });
    seedNodeData(sb.dataDir);
    const before = writeMarker(sb.dataDir, TARGET);
    const res = await sb.run(scriptFor(flavour.kind, sb));
    expect(res.code).toBe(0);
    expect(sb.marker()).toBe(before);
    expect(sb.calls()).toEqual([]);
  });

  test('convergence after several polls: waits for UN and peers, drains, stops, then marks', async () => {
    sb = createSandbox({ ...flavour.sandbox, status: CONVERGES });
    seedNodeData(sb.dataDir);
    writeMarker(sb.dataDir, SOURCE); // from the upgrade that brought this node to the old image
    const res = await sb.run(scriptFor(flavour.kind, sb), { args: flavour.args });
    expect(res.code).toBe(0);
    expectCleanMigration(sb, flavour, SOURCE);
    const start = sb.calls().find((l) => l.startsWith('server start')) ?? '';
    expect(start).toContain(flavour.trafficOff);
    expect(start).toContain(flavour.args.join(' '));
    // One log line per state change, even though each state was seen on several polls.
    const states = res.log.filter((l) => l.startsWith('this node') || l.includes('does not answer'));
    expect(states).toEqual([
      `this node's host ID is ${SELF_HOST_ID}`,
      'nodetool status does not answer yet',
      'this node is UJ at 10.244.1.23, waiting for UN',
      'this node is UN at 10.244.1.23; waiting for peers: 10.244.3.9=DN',
      'this node is UN at 10.244.1.23 and all 2 peer(s) are UN',
    ]);
  });

  test('peer down past the deadline: timeout, non-zero exit, server stopped, marker untouched', async () => {
    sb = createSandbox({ ...flavour.sandbox, status: PEER_STAYS_DOWN });
    seedNodeData(sb.dataDir);
    const res = await sb.run(scriptFor(flavour.kind, sb), { env: { GOSSIP_SAFE_PREMIGRATE_TIMEOUT: '2' } });
    expectFailedWithoutMarker(sb, res.code);
    expect(sb.calls()).toContain('server exit by=TERM drained=no marker=none');
    expect(res.log.some((l) => l.startsWith('FAILED: timed out after 2 s'))).toBe(true);
  });

  test('server dies early: non-zero exit, marker untouched', async () => {
    sb = createSandbox({ ...flavour.sandbox, status: ALONE, serverDiesEarly: true });
    seedNodeData(sb.dataDir);
    const res = await sb.run(scriptFor(flavour.kind, sb));
    expectFailedWithoutMarker(sb, res.code);
    expect(sb.calls()).toContain('server died');
    expect(res.log.some((l) => l.startsWith('FAILED: old server exited early (status 3)'))).toBe(true);
  });

  test('node alone in its cluster: converges without peers', async () => {
    sb = createSandbox({ ...flavour.sandbox, status: ALONE });
    seedNodeData(sb.dataDir);
    const res = await sb.run(scriptFor(flavour.kind, sb));
    expect(res.code).toBe(0);
    expectCleanMigration(sb, flavour);
    expect(res.log).toContain('this node is UN at 10.244.1.23 and alone in its cluster');
  });
});

describe('pre-migration script details', () => {
  let sb: Sandbox;
  afterEach(() => sb.cleanup());

  test('a data dir holding data wins over an earlier, empty one (Bitnami layout: data/data/...)', async () => {
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: ALONE });
    const official = join(sb.dir, 'var-lib-cassandra');
    mkdirSync(official);
    mkdirSync(join(sb.dataDir, 'data', 'data', 'system', 'peers-37f71aca7dc2383ba70672528af04d4f'), { recursive: true });
    writeFileSync(join(sb.dataDir, 'data', 'data', 'system', 'peers-37f71aca7dc2383ba70672528af04d4f', 'nb-2-big-Data.db'), 'x');
    const res = await sb.run(scriptFor('cassandra', sb, [official, sb.dataDir]));
    expect(res.code).toBe(0);
    expectCleanMigration(sb, FLAVOURS[0]!);
  });

  test('without docker-entrypoint.sh the bare cassandra -f starts, with -R when root', async () => {
    sb = createSandbox({ server: 'cassandra', status: ALONE });
    seedNodeData(sb.dataDir);
    const res = await sb.run(scriptFor('cassandra', sb));
    expect(res.code).toBe(0);
    const start = sb.calls().find((l) => l.startsWith('server start')) ?? '';
    expect(start.startsWith(process.getuid?.() === 0 ? 'server start -f -R ' : 'server start -f ')).toBe(true);
    expectCleanMigration(sb, FLAVOURS[0]!);
  });

  test('marker from another version than the old image: refused before any server starts', async () => {
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: ALONE });
    seedNodeData(sb.dataDir);
    const before = writeMarker(sb.dataDir, 'cassandra:4.0.11'); // data newer than 3.11.16
    const res = await sb.run(scriptFor('cassandra', sb));
    expect(res.code).toBe(1);
    expect(sb.calls()).toEqual([]);
    expect(sb.marker()).toBe(before);
    expect(res.log.some((l) => l.startsWith('FAILED: REFUSED: the marker says this data was last prepared for cassandra:4.0.11'))).toBe(true);
  });

  test('the same version under another reference (mirror, flavour) is not refused', async () => {
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: ALONE });
    seedNodeData(sb.dataDir);
    writeMarker(sb.dataDir, 'mirror.example:5000/library/cassandra:3.11.16-jammy@sha256:0123abcd');
    const res = await sb.run(scriptFor('cassandra', sb));
    expect(res.code).toBe(0);
    expectCleanMigration(sb, FLAVOURS[0]!, 'mirror.example:5000/library/cassandra:3.11.16-jammy@sha256:0123abcd');
  });

  test('IPv6: this node is found when nodetool prints the address in Java\'s long form', async () => {
    const status: StatusPhase[] = [{ from: 1, nodes: [['UN', 'fd00:10:244:0:0:0:0:2c'], ['UN', 'FD00:10:244:0:0:0:0:1B', 'self']] }];
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status });
    seedNodeData(sb.dataDir);
    const res = await sb.run(scriptFor('cassandra', sb), { env: { POD_IP: 'fd00:10:244::1b' } });
    expect(res.code).toBe(0);
    // Found by host ID; the long form is the pod IP, so no "broadcast address" note.
    expect(res.log).toContain('this node is UN at FD00:10:244:0:0:0:0:1B and all 1 peer(s) are UN');
    expectCleanMigration(sb, FLAVOURS[0]!);
  });

  test('no POD_IP: this node is still found, by its host ID', async () => {
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: ALONE });
    seedNodeData(sb.dataDir);
    const res = await sb.run(scriptFor('cassandra', sb), { env: { POD_IP: '' } });
    expect(res.code).toBe(0);
    expect(res.log).toContain('this node is UN at 10.244.1.23 and alone in its cluster');
    expectCleanMigration(sb, FLAVOURS[0]!);
  });

  test('TERM while waiting for gossip: server stopped, exit 143, no marker', async () => {
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: PEER_STAYS_DOWN });
    seedNodeData(sb.dataDir);
    const run = sb.run(scriptFor('cassandra', sb), { signalWhenLogged: 'waiting for peers' });
    const res = await run;
    expect(res.code).toBe(143);
    expect(sb.marker()).toBeUndefined();
    expect(sb.calls()).toContain('server exit by=TERM drained=no marker=none');
  });
});

describe('issue 11: the script never starts a version on data it must not touch', () => {
  let sb: Sandbox;
  afterEach(() => sb.cleanup());

  test('format guard: 4.1 data (nb) and an old image 3.11.16 (reads up to me): refused, one line, nothing started, no marker', async () => {
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: ALONE });
    const file = sstable(sb.dataDir, 'nb-7-big-Data.db');
    sstable(sb.dataDir, 'me-3-big-Data.db');
    const res = await sb.run(scriptFor('cassandra', sb), { env: runtimeEnv('cassandra:3.11.16', 'cassandra:4.1.3') });
    expect(res.code).toBe(1);
    expect(sb.calls()).toEqual([]);
    expect(sb.marker()).toBeUndefined();
    const refused = res.log.filter((l) => l.includes('REFUSED'));
    expect(refused).toEqual([
      `FAILED: REFUSED: the data holds SSTable format big nb (${file}), newer than Cassandra 3.11.16 (the old image cassandra:3.11.16) reads (big up to me); it must not start on this data`,
    ]);
  });

  test('format guard: 5.0 trie-indexed data (da-...-bti) and an old image 4.1.3 that does not read bti at all', async () => {
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: ALONE });
    sstable(sb.dataDir, 'da-3gq1_0xyz_2bsz42g1n1cfx7tgqi-bti-Data.db');
    const res = await sb.run(scriptFor('cassandra', sb), { env: runtimeEnv('cassandra:4.1.3', 'cassandra:5.0.4') });
    expect(res.code).toBe(1);
    expect(sb.calls()).toEqual([]);
    expect(res.log.some((l) => /REFUSED: the data holds SSTable format bti da .* which Cassandra 4\.1\.3 .* does not read at all/.test(l))).toBe(true);
  });

  test('format guard: legacy names (ks-tbl-ka-1-Data.db) are read too; 2.2 data (la) refuses a 2.1 image', async () => {
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: ALONE });
    sstable(sb.dataDir, 'lab-rows-ka-1-Data.db');
    sstable(sb.dataDir, 'la-2-big-Data.db');
    const res = await sb.run(scriptFor('cassandra', sb), { env: runtimeEnv('cassandra:2.1.22', 'cassandra:2.2.19') });
    expect(res.code).toBe(1);
    expect(res.log.some((l) => l.includes('SSTable format big la') && l.includes('(big up to ka)'))).toBe(true);
  });

  test('format guard: data that both images read passes; snapshots do not count', async () => {
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: ALONE });
    sstable(sb.dataDir, 'mc-1-big-Data.db');
    sstable(sb.dataDir, 'me-3-big-Data.db');
    sstable(sb.dataDir, 'nb-9-big-Data.db', 'lab/rows-0c6dd2a0ecd811f1b7b945fa36c1527e/snapshots/pre-rollback');
    const res = await sb.run(scriptFor('cassandra', sb), { env: runtimeEnv('cassandra:3.11.16', 'cassandra:4.1.3') });
    expect(res.code).toBe(0);
    expect(res.log).toContain('SSTable formats on disk (oldest..newest): big mc..me');
    expectCleanMigration(sb, FLAVOURS[0]!);
  });

  test('format guard for the new image: 5.0 data (oa) under a 4.1.3 target is refused even with a marker naming 4.1.3', async () => {
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: ALONE });
    sstable(sb.dataDir, 'oa-12-big-Data.db');
    writeMarker(sb.dataDir, 'cassandra:4.1.3');
    const res = await sb.run(scriptFor('cassandra', sb), { env: runtimeEnv('cassandra:4.0.11', 'cassandra:4.1.3') });
    expect(res.code).toBe(1);
    expect(sb.calls()).toEqual([]);
    expect(res.log.some((l) => l.includes('newer than Cassandra 4.1.3 (the new image cassandra:4.1.3) reads (big up to nb)'))).toBe(true);
  });

  test('no format table for the old version (a word tag): the script says it cannot check, and goes on', async () => {
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: ALONE });
    sstable(sb.dataDir, 'nb-1-big-Data.db');
    const res = await sb.run(scriptFor('cassandra', sb), { env: runtimeEnv('cassandra:stable', 'cassandra:4.1.3') });
    expect(res.code).toBe(0);
    expect(res.log).toContain("cannot check the SSTable format on disk against the old image cassandra:stable: no format table for version 'stable'");
  });

  test('marker on the persistent volume (GOSSIP_SAFE_MARKER_DIR), read back there on restart', async () => {
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: ALONE });
    // The PVC is mounted below the data dir (/var/lib/cassandra/data): the marker goes there.
    sstable(sb.dataDir, 'me-1-big-Data.db');
    const pv = join(sb.dataDir, 'data');
    const env = { ...runtimeEnv(SOURCE, TARGET), GOSSIP_SAFE_MARKER_DIR: pv };
    const first = await sb.run(scriptFor('cassandra', sb), { env });
    expect(first.code).toBe(0);
    expect(sb.marker()).toBeUndefined();
    const marker = readFileSync(join(pv, '.gossip-safe', 'premigrated'), 'utf8').split('\n');
    expect(marker.slice(0, 3)).toEqual([TARGET, 'version=4.1.3', 'reason=gossip-accepted']);
    const again = await sb.run(scriptFor('cassandra', sb), { env });
    expect(again.code).toBe(0);
    expect(again.log.some((l) => l.includes('node already migrated'))).toBe(true);
    expect(sb.calls().filter((l) => l.startsWith('server start'))).toHaveLength(1);
  });

  test('a missing GOSSIP_SAFE_MARKER_DIR is a configuration error, not a marker on the container filesystem', async () => {
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: ALONE });
    seedNodeData(sb.dataDir);
    const res = await sb.run(scriptFor('cassandra', sb), { env: { GOSSIP_SAFE_MARKER_DIR: join(sb.dir, 'no-such-volume') } });
    expect(res.code).toBe(2);
    expect(sb.calls()).toEqual([]);
  });

  test.each([
    ['a flavour suffix', 'cassandra:4.1.3-jammy\nreason=gossip-accepted\n'],
    ['a mirror and a digest, with the version recorded', 'mirror.example:5000/library/cassandra@sha256:0123abcd\nversion=4.1.3\n'],
    ['4.1 for 4.1.0', 'cassandra:4.1\n'],
  ])('marker compared as a version: %s names the target, so the node is already migrated', async (_what, text) => {
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: ALONE });
    seedNodeData(sb.dataDir);
    mkdirSync(join(sb.dataDir, '.gossip-safe'));
    writeFileSync(join(sb.dataDir, '.gossip-safe', 'premigrated'), text);
    const target = text.startsWith('cassandra:4.1\n') ? 'cassandra:4.1.0' : TARGET;
    const res = await sb.run(scriptFor('cassandra', sb), { env: runtimeEnv(SOURCE, target) });
    expect(res.code).toBe(0);
    expect(sb.calls()).toEqual([]);
    expect(res.log.some((l) => l.includes('node already migrated'))).toBe(true);
  });

  test.each([
    ['runs on', false],
    ['exits', true],
  ])("the server's config rejection (server %s): fails at once with the server's reason", async (_what, exit) => {
    const reason = 'Exception (org.apache.cassandra.exceptions.ConfigurationException) encountered during startup: Invalid yaml. Please remove properties [storage_compatibility_mode] from your cassandra.yaml';
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: PEER_STAYS_DOWN, rejectConfig: { lines: reason, exit } });
    seedNodeData(sb.dataDir);
    // The timeout is far beyond the run's hard bound (25 s): only failing fast passes.
    const res = await sb.run(scriptFor('cassandra', sb), { env: { GOSSIP_SAFE_PREMIGRATE_TIMEOUT: '600' } });
    expect(res.code).toBe(1);
    expect(sb.marker()).toBeUndefined();
    expect(res.log.some((l) => l.startsWith('FAILED: the old server rejected its configuration') && l.endsWith(reason))).toBe(true);
    // Its output reaches the container log too.
    expect(res.output).toContain('INFO  [main] loading config');
  });

  test.each([
    ['runs on', false],
    ['exits', true],
  ])("the server's config rejection with a cause (Cassandra 5.0's invalid yaml value; server %s): the reason names the fault, not only the file", async (_what, exit) => {
    // As Cassandra 5.0.4 prints it (num_tokens: four): the file first, the fault in the first "Caused by:".
    const first = 'Exception (org.apache.cassandra.exceptions.ConfigurationException) encountered during startup: Invalid yaml: file:/etc/cassandra/cassandra.yaml';
    const cause = 'Caused by: Cannot create property=num_tokens for JavaBean=org.apache.cassandra.config.Config@747edf66';
    const lines = [
      first,
      'org.apache.cassandra.exceptions.ConfigurationException: Invalid yaml: file:/etc/cassandra/cassandra.yaml',
      '\tat org.apache.cassandra.config.YamlConfigurationLoader.loadConfig(YamlConfigurationLoader.java:146)',
      cause,
      " in 'reader', line 3, column 1:",
      'For input string: "four"',
      'Caused by: java.lang.NumberFormatException: For input string: "four"',
    ].join('\n');
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: PEER_STAYS_DOWN, rejectConfig: { lines, exit } });
    seedNodeData(sb.dataDir);
    const res = await sb.run(scriptFor('cassandra', sb), { env: { GOSSIP_SAFE_PREMIGRATE_TIMEOUT: '600' } });
    expect(res.code).toBe(1);
    expect(sb.marker()).toBeUndefined();
    const failed = res.log.find((l) => l.startsWith('FAILED: the old server rejected its configuration'));
    // "(exit status 3)" or not, as the stub's exit races the script's first look.
    expect({ failed, ok: failed?.endsWith(`: ${first} (${cause})`) }).toMatchObject({ ok: true });
  });

  test('broadcast address other than the pod IP (a Service ClusterIP): found by host ID, converges', async () => {
    const status: StatusPhase[] = [{ from: 1, nodes: [['UN', '10.96.0.15', 'self'], ['UN', '10.96.0.16']] }];
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status });
    seedNodeData(sb.dataDir);
    const res = await sb.run(scriptFor('cassandra', sb));
    expect(res.code).toBe(0);
    expect(res.log).toContain('this node is UN at 10.96.0.15 (its broadcast address; the pod IP is 10.244.1.23) and all 1 peer(s) are UN');
    expectCleanMigration(sb, FLAVOURS[0]!);
  });

  test('another node listed at the pod IP is not taken for this node', async () => {
    // Stale gossip: an old entry at this pod's IP, DN, with another host ID; this node is UJ.
    const status: StatusPhase[] = [{ from: 1, nodes: [['DN', '10.244.1.23'], ['UJ', '10.244.9.9', 'self']] }];
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status });
    seedNodeData(sb.dataDir);
    const res = await sb.run(scriptFor('cassandra', sb), { env: { GOSSIP_SAFE_PREMIGRATE_TIMEOUT: '2' } });
    expect(res.code).toBe(1);
    expect(res.log).toContain('this node is UJ at 10.244.9.9 (its broadcast address; the pod IP is 10.244.1.23), waiting for UN');
  });
});
