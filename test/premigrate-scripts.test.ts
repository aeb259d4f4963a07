import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { premigrateScript } from '../src/premigrate/index.js';
import type { PremigrateScriptKind } from '../src/profiles/types.js';
import { createSandbox, SOURCE, TARGET, type Sandbox, type SandboxOptions, type StatusPhase } from './helpers/premigrate-sandbox.js';

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
    const states = res.log.filter((l) => l.startsWith('this node') || l.startsWith('nodetool status'));
    expect(states).toEqual([
      'nodetool status does not answer yet',
      'this node (10.244.1.23) is UJ, waiting for UN',
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
    const status: StatusPhase[] = [{ from: 1, nodes: [['UN', 'fd00:10:244:0:0:0:0:2c'], ['UN', 'FD00:10:244:0:0:0:0:1B']] }];
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status });
    seedNodeData(sb.dataDir);
    const res = await sb.run(scriptFor('cassandra', sb), { env: { POD_IP: 'fd00:10:244::1b' } });
    expect(res.code).toBe(0);
    expect(res.log).toContain('this node is UN at fd00:10:244::1b and all 1 peer(s) are UN');
    expectCleanMigration(sb, FLAVOURS[0]!);
  });

  test('no POD_IP on a node with data: configuration error, no server, no marker', async () => {
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: ALONE });
    seedNodeData(sb.dataDir);
    const res = await sb.run(scriptFor('cassandra', sb), { env: { POD_IP: '' } });
    expect(res.code).toBe(2);
    expect(sb.calls()).toEqual([]);
    expect(sb.marker()).toBeUndefined();
    expect(res.log.some((l) => l.includes('POD_IP is not set'))).toBe(true);
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
