import { Cluster, injectionStatus, type PodJson } from '../e2e/harness/cluster.js';
import { IMAGES } from './harness/node.js';
import { running, waitForPod } from './harness/pods.js';

// Scenario 1 (docs/e2e-node.md): the kubelet, not a stand-in, expands the downward-API env
// gossip-safe injects: GOSSIP_NODE_NAME is `$(POD_UID)`, so inside the container it must be the
// pod's own metadata.uid.
const c = new Cluster();
afterAll(() => c.cleanup());

test('a pod admitted in an opted-in namespace sees GOSSIP_NODE_NAME equal to its own metadata.uid, inside the container', async () => {
  const ns = await c.namespace('node-identity', { 'gossip-safe.io/inject': 'enabled' });
  await c.ok(['-n', ns, 'apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata:
  name: serf-0
spec:
  containers:
    - name: serf
      image: ${IMAGES.serf}
      imagePullPolicy: Never
      command: [sh, -c, 'echo "GOSSIP_NODE_NAME=$GOSSIP_NODE_NAME"; trap "exit 0" TERM; sleep 3600 & wait']
`);
  const admitted = await c.get<PodJson>('pod', 'serf-0', ns);
  expect(injectionStatus(admitted)?.profile).toBe('serf');
  const pod = await waitForPod(c, ns, 'serf-0', 'Running on the node', running);
  expect(pod.spec.nodeName).toBe('localhost');
  const uid = pod.metadata.uid;
  expect(uid).toMatch(/^[0-9a-f-]{36}$/);

  const inside = (await c.ok(['-n', ns, 'exec', 'serf-0', '-c', 'serf', '--', 'sh', '-c', 'echo "$GOSSIP_NODE_NAME"; echo "$POD_UID"'])).trim().split('\n');
  expect(inside).toEqual([uid, uid]);
  const logs = await c.ok(['-n', ns, 'logs', 'serf-0', '-c', 'serf']);
  expect(logs).toContain(`GOSSIP_NODE_NAME=${uid}\n`);
});
