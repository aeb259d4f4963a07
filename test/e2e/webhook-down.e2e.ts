import { Cluster, injectionStatus, type PodJson } from './harness/cluster.js';
import { cassandraStatefulSet, podYaml } from './harness/objects.js';
import { isAlive, killGroup, waitFor } from './harness/procs.js';
import { saveState } from './harness/state.js';
import { startWebhook } from './harness/webhook.js';

// The webhook process killed (README: "Enforce is the one entry that fails closed"): the mutating
// webhook fails open, warn fails open, enforce refuses only in its namespaces.
const c = new Cluster();
afterAll(() => c.cleanup());

test('webhook down: mutation fails open, warn fails open, enforce fails closed only in enforce namespaces', async () => {
  const inject = await c.namespace('down-inject', { 'gossip-safe.io/inject': 'enabled' });
  const enforce = await c.namespace('down-enforce', { 'gossip-safe.io/policy': 'enforce' });
  const warn = await c.namespace('down-warn', { 'gossip-safe.io/policy': 'warn' });
  const plain = await c.namespace('down-plain');

  const w = c.state.webhook;
  const running = w.pgids[w.pgids.length - 1];
  if (running === undefined) throw new Error('no gossip-safe serve recorded');
  killGroup(running, 'SIGKILL');
  await waitFor('gossip-safe serve to die', () => (isAlive(running) ? undefined : true), 10_000);
  w.pgids.splice(w.pgids.indexOf(running), 1); // gone: never signal that id again
  saveState(c.state);
  try {
    const pod = await c.kubectl(['-n', inject, 'apply', '-f', '-'], podYaml({ name: 'db', image: 'cassandra:4.1.5' }));
    expect(pod.code).toBe(0);
    expect(injectionStatus(await c.get<PodJson>('pod', 'db', inject))).toBeUndefined();

    const refused = await c.kubectl(['-n', enforce, 'apply', '-f', '-'], cassandraStatefulSet('cassandra:4.1.5'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('failed calling webhook "enforce.gossip-safe.io"');
    expect((await c.kubectl(['-n', enforce, 'get', 'statefulset', 'cassandra'])).code).toBe(1);

    for (const ns of [warn, plain]) {
      const ok = await c.kubectl(['-n', ns, 'apply', '-f', '-'], cassandraStatefulSet('cassandra:4.1.5'));
      expect({ ns, code: ok.code }).toEqual({ ns, code: 0 });
    }
  } finally {
    await startWebhook(w);
    saveState(c.state);
  }
  // Back up: enforce admits again.
  const after = await c.kubectl(['-n', enforce, 'apply', '-f', '-'], cassandraStatefulSet('cassandra:4.1.5'));
  expect(after.code).toBe(0);
});
