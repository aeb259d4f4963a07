import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster, injectionStatus, type PodJson } from '../e2e/harness/cluster.js';
import { IMAGES } from './harness/node.js';
import { waitForPod, type ContainerStatus, type PodStatusJson } from './harness/pods.js';
import { NODE_STATE_ENV, loadNodeState } from './harness/state.js';

// Scenario 4 (docs/e2e-node.md): the kubelet runs gossip-premigrate after the native sidecars
// have started and before the main container; when it fails, the kubelet restarts it and the main
// container never starts. The images are busybox stand-ins under Cassandra's names, so the real
// pre-migration script runs: on an empty data dir it writes its marker and exits 0 (a fresh node);
// with data files it must start the old server, finds no Cassandra in the stand-in and exits 1.
const c = new Cluster();
afterAll(() => c.cleanup());

const node = (): { dir: string } => {
  const file = process.env[NODE_STATE_ENV];
  if (file === undefined) throw new Error(`${NODE_STATE_ENV} is not set: run with \`npm run e2e:node\``);
  return loadNodeState(file);
};

const SLEEP = `[sh, -c, 'trap "exit 0" TERM; sleep 3600 & wait']`;

function podYaml(name: string, dataDir: string): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  annotations: {gossip-safe.io/migrate-from-image: "cassandra:4.1.5"}
spec:
  terminationGracePeriodSeconds: 5
  initContainers:
    - {name: mesh-proxy, image: "${IMAGES.busybox}", imagePullPolicy: Never, restartPolicy: Always, command: ${SLEEP}}
  containers:
    - name: cassandra
      image: cassandra:5.0.5
      imagePullPolicy: Never
      command: ${SLEEP}
      volumeMounts: [{name: data, mountPath: /var/lib/cassandra}]
  volumes:
    - {name: data, hostPath: {path: "${dataDir}", type: Directory}}
`;
}

const status = (pod: PodStatusJson, name: string): ContainerStatus | undefined =>
  [...(pod.status.initContainerStatuses ?? []), ...(pod.status.containerStatuses ?? [])].find((s) => s.name === name);

test('gossip-premigrate runs after the native sidecar has started and before the main container', async () => {
  const ns = await c.namespace('node-premig-ok', { 'gossip-safe.io/inject': 'enabled' });
  const data = join(node().dir, `data-${ns}`);
  mkdirSync(data); // empty: a fresh node, the script writes its marker and exits 0
  await c.ok(['-n', ns, 'apply', '-f', '-'], podYaml('cassandra-0', data));
  const admitted = await c.get<PodJson>('pod', 'cassandra-0', ns);
  expect(injectionStatus(admitted)?.injected).toContain('initContainer:gossip-premigrate');
  expect((admitted.spec.initContainers ?? []).map((i) => i.name)).toEqual(['mesh-proxy', 'gossip-premigrate']);

  const pod = await waitForPod(c, ns, 'cassandra-0', 'main container running', (p) => (status(p, 'cassandra')?.state?.running !== undefined ? p : undefined));
  const sidecarStarted = status(pod, 'mesh-proxy')?.state?.running?.startedAt;
  const premig = status(pod, 'gossip-premigrate')?.state?.terminated;
  const mainStarted = status(pod, 'cassandra')?.state?.running?.startedAt;
  expect(premig?.exitCode).toBe(0);
  expect(sidecarStarted).toBeDefined();
  expect(mainStarted).toBeDefined();
  // RFC 3339 times with a second resolution: compare as dates (equal seconds allowed).
  expect(Date.parse(premig?.startedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(sidecarStarted ?? ''));
  expect(Date.parse(mainStarted ?? '')).toBeGreaterThanOrEqual(Date.parse(premig?.finishedAt ?? ''));
  // The marker the script wrote on the data volume, read on the node's disk.
  const logs = await c.ok(['-n', ns, 'logs', 'cassandra-0', '-c', 'gossip-premigrate']);
  expect(logs).toContain('fresh node, nothing to migrate');
  const marker = logs.match(/marker written \((\S+) names/)?.[1];
  expect(marker).toBeDefined();
  expect(readFileSync(join(data, (marker ?? '').replace(/^\/var\/lib\/cassandra\//, '')), 'utf8').split('\n')[0]).toBe('cassandra:5.0.5');
});

test('a failing gossip-premigrate is restarted by the kubelet and the main container does not start', async () => {
  const ns = await c.namespace('node-premig-fail', { 'gossip-safe.io/inject': 'enabled' });
  const data = join(node().dir, `data-${ns}`);
  mkdirSync(join(data, 'data', 'ks', 'tbl'), { recursive: true });
  writeFileSync(join(data, 'data', 'ks', 'tbl', 'nb-1-big-Data.db'), ''); // data on disk: the old server must run
  await c.ok(['-n', ns, 'apply', '-f', '-'], podYaml('cassandra-0', data));

  const pod = await waitForPod(c, ns, 'cassandra-0', 'gossip-premigrate failed and restarted', (p) => ((status(p, 'gossip-premigrate')?.restartCount ?? 0) >= 1 ? p : undefined), 180_000);
  const premig = status(pod, 'gossip-premigrate');
  expect(premig?.lastState?.terminated?.exitCode).toBe(1);
  expect(status(pod, 'mesh-proxy')?.state?.running).toBeDefined();
  const main = status(pod, 'cassandra');
  expect(main?.state?.running).toBeUndefined();
  expect(main?.state?.terminated).toBeUndefined();
  expect(main?.restartCount ?? 0).toBe(0);
  expect(pod.status.phase).toBe('Pending');
  // terminationMessagePolicy FallbackToLogsOnError: the script's last lines, as `kubectl describe` shows them.
  expect(premig?.lastState?.terminated?.message).toContain('no Cassandra launcher found');
});
