import { Cluster, injectionStatus, type PodJson } from '../e2e/harness/cluster.js';
import { waitFor } from '../e2e/harness/procs.js';
import { IMAGES } from './harness/node.js';
import { running, waitForPod } from './harness/pods.js';

// Scenario 2 (docs/e2e-node.md): real Serf agents (Debian's serf) in pods on the node. With
// gossip-safe, `kubectl delete` makes the kubelet run the injected preStop `serf leave` within the
// grace period, and the peer records the member as `left`; without it (namespace not opted in) the
// agent just dies on SIGTERM and the peer records it as `failed`.
const c = new Cluster();
afterAll(() => c.cleanup());

function serfPod(name: string, join: string | undefined): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  containers:
    - name: serf
      image: ${IMAGES.serf}
      imagePullPolicy: Never
      env: [{name: JOIN, value: "${join ?? ''}"}]
      command: [sh, -c, 'exec serf agent -node="\${GOSSIP_NODE_NAME:-$(hostname)}" -bind="$(hostname -i):7946" \${JOIN:+-join=$JOIN:7946}']
`;
}

interface Member {
  name: string;
  status: string;
}

async function members(ns: string, pod: string): Promise<Member[]> {
  const out = await c.ok(['-n', ns, 'exec', pod, '-c', 'serf', '--', 'serf', 'members', '-format=json']);
  return (JSON.parse(out) as { members: Member[] }).members;
}

/** Starts peer `serf-a` and `serf-b` joined to it, deletes `serf-b`, returns how serf-a records it. */
async function statusAfterDelete(ns: string): Promise<{ status: string; name: string; injected: boolean }> {
  await c.ok(['-n', ns, 'apply', '-f', '-'], serfPod('serf-a', undefined));
  const a = await waitForPod(c, ns, 'serf-a', 'Running', running);
  const ip = a.status.podIP;
  expect(ip).toMatch(/^10\.233\.0\.\d+$/);
  await c.ok(['-n', ns, 'apply', '-f', '-'], serfPod('serf-b', ip));
  const b = await waitForPod(c, ns, 'serf-b', 'Running', running);
  const injected = injectionStatus(await c.get<PodJson>('pod', 'serf-b', ns)) !== undefined;
  // The agent's name: GOSSIP_NODE_NAME (the pod's uid) when injected, else the pod's hostname.
  const bName = injected ? b.metadata.uid : 'serf-b';
  await waitFor('serf-a to see serf-b alive', async () => ((await members(ns, 'serf-a')).some((m) => m.name === bName && m.status === 'alive') ? true : undefined), 60_000, 1000);
  await c.ok(['-n', ns, 'delete', 'pod', 'serf-b', '--wait=true', '--timeout=90s']);
  const status = await waitFor(
    'serf-a to record serf-b as gone',
    async () => (await members(ns, 'serf-a')).find((m) => m.name === bName && m.status !== 'alive' && m.status !== 'leaving')?.status,
    60_000,
    1000,
  );
  return { status, name: bName, injected };
}

test('kubectl delete of an injected Serf pod runs the leave hook: its peer sees it as left', async () => {
  const ns = await c.namespace('node-serf', { 'gossip-safe.io/inject': 'enabled' });
  const r = await statusAfterDelete(ns);
  expect(r.injected).toBe(true);
  expect(r.name).toMatch(/^[0-9a-f-]{36}$/); // GOSSIP_NODE_NAME, the pod's uid
  expect(r.status).toBe('left');
});

test('without gossip-safe the same delete leaves the peer with a failed member', async () => {
  const ns = await c.namespace('node-serf-off');
  const r = await statusAfterDelete(ns);
  expect(r.injected).toBe(false);
  expect(r.status).toBe('failed');
});
