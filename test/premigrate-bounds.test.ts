import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { premigrateScript } from '../src/premigrate/index.js';
import { createSandbox, SOURCE, type Sandbox, type StatusPhase } from './helpers/premigrate-sandbox.js';

/**
 * Issue 22 item 5: every wait in the generated script is bounded, start-up has its own bound,
 * a TERM is handled at once, and each run logs only its own output. The script runs for real
 * under dash with stand-in binaries (test/helpers/premigrate-sandbox.ts). No test asserts a
 * duration: each one would hang, or be killed by the harness's hard bound, without the fix.
 */
const ALONE: readonly StatusPhase[] = [{ from: 1, nodes: [['UN', 'self']] }];
const PEER_STAYS_DOWN: readonly StatusPhase[] = [{ from: 1, nodes: [['UN', 'self'], ['DN', '10.244.3.9']] }];

function seedNodeData(dataDir: string): void {
  const table = join(dataDir, 'data', 'system', 'local-7ad54392bcdd35a684174e047860b377');
  mkdirSync(table, { recursive: true });
  writeFileSync(join(table, 'me-1-big-Data.db'), 'sstable');
}

const script = (sb: Sandbox, kind: 'cassandra' | 'scylla' = 'cassandra'): string => premigrateScript(kind, { dataDirs: [sb.dataDir], timeoutSeconds: 600 });

describe('the pre-migration script bounds every wait (dash, stand-in binaries)', () => {
  let sb: Sandbox;
  afterEach(() => sb.cleanup());

  test('a hung nodetool status is bounded: the run fails with a timeout, server stopped, no marker', async () => {
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: ALONE, hang: ['status'] });
    seedNodeData(sb.dataDir);
    const res = await sb.run(script(sb), { env: { GOSSIP_SAFE_CALL_SECONDS: '1', GOSSIP_SAFE_PREMIGRATE_TIMEOUT: '3' }, killAfterMs: 20_000 });
    expect(res.signal).toBeNull();
    expect(res.code).toBe(1);
    expect(sb.marker()).toBeUndefined();
    expect(sb.calls()).toContain('server exit by=TERM drained=no marker=none');
    expect(res.log).toContain('nodetool status did not answer within 1 s');
    expect(res.log.some((l) => l.startsWith('FAILED: timed out after 3 s waiting for gossip'))).toBe(true);
  });

  test('a hung nodetool info during start-up is bounded by the start-up bound', async () => {
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: ALONE, hang: ['info'] });
    seedNodeData(sb.dataDir);
    const res = await sb.run(script(sb), { env: { GOSSIP_SAFE_CALL_SECONDS: '1', GOSSIP_SAFE_START_SECONDS: '2' }, killAfterMs: 20_000 });
    expect(res.signal).toBeNull();
    expect(res.code).toBe(1);
    expect(sb.marker()).toBeUndefined();
    expect(res.log.some((l) => l.startsWith('FAILED: timed out after 2 s waiting for the old server to start'))).toBe(true);
  });

  test('a hung nodetool drain is bounded by the stop wait: failure, not a hang', async () => {
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: ALONE, hang: ['drain'] });
    seedNodeData(sb.dataDir);
    const res = await sb.run(script(sb), { env: { GOSSIP_SAFE_STOP_SECONDS: '1' }, killAfterMs: 20_000 });
    expect(res.signal).toBeNull();
    expect(res.code).toBe(1);
    expect(sb.marker()).toBeUndefined();
    expect(res.log.some((l) => l.startsWith('FAILED: nodetool drain did not finish within 1 s'))).toBe(true);
  });

  test('start-up (JVM start, commit-log replay) has its own bound: a start slower than the gossip timeout still converges', async () => {
    // About 80 refused info calls at 50 ms polls: start-up alone outlasts the 2 s gossip timeout.
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: ALONE, infoFailsFirst: 80 });
    seedNodeData(sb.dataDir);
    const res = await sb.run(script(sb), { env: { GOSSIP_SAFE_PREMIGRATE_TIMEOUT: '2', GOSSIP_SAFE_START_SECONDS: '60' }, killAfterMs: 25_000 });
    expect(res.log.filter((l) => l.startsWith('FAILED'))).toEqual([]);
    expect(res.code).toBe(0);
    expect(sb.marker()?.split('\n')).toContain('reason=gossip-accepted');
  });

  test('TERM during a long poll interval is handled at once: exit 143, server stopped, no marker', async () => {
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: PEER_STAYS_DOWN });
    seedNodeData(sb.dataDir);
    // A 600 s poll: a TERM handled only after the foreground sleep would outlive the harness bound.
    const res = await sb.run(script(sb), { env: { GOSSIP_SAFE_POLL_SECONDS: '600' }, signalWhenLogged: 'waiting for peers', killAfterMs: 20_000 });
    expect(res.signal).toBeNull();
    expect(res.code).toBe(143);
    expect(sb.marker()).toBeUndefined();
    expect(sb.calls()).toContain('server exit by=TERM drained=no marker=none');
  });

  test('TERM while a nodetool call hangs is handled at once: exit 143', async () => {
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: ALONE, hang: ['status'] });
    seedNodeData(sb.dataDir);
    const res = await sb.run(script(sb), { env: { GOSSIP_SAFE_CALL_SECONDS: '600' }, signalWhenLogged: "this node's host ID is", killAfterMs: 20_000 });
    expect(res.signal).toBeNull();
    expect(res.code).toBe(143);
    expect(sb.marker()).toBeUndefined();
  });

  test("a refusal before start does not print the previous run's server log as its own", async () => {
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: ALONE });
    seedNodeData(sb.dataDir);
    mkdirSync(join(sb.dataDir, '.gossip-safe'));
    writeFileSync(join(sb.dataDir, '.gossip-safe', 'old-server.log'), 'INFO  [main] a line of the PREVIOUS run\n');
    writeFileSync(join(sb.dataDir, '.gossip-safe', 'premigrated'), 'cassandra:4.0.11\n'); // not the old image: refused
    const res = await sb.run(script(sb), { env: { GOSSIP_SAFE_SOURCE_IMAGE: SOURCE } });
    expect(res.code).toBe(1);
    expect(sb.calls()).toEqual([]);
    expect(res.output).not.toContain('PREVIOUS run');
  });
});
