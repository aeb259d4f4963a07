import { Cluster, type PodJson } from './harness/cluster.js';

// Native sidecars (init containers with restartPolicy: Always, which meshes put first) run
// during init, so they must stay ahead of gossip-premigrate.
const c = new Cluster();
afterAll(() => c.cleanup());

test('native sidecars keep their place ahead of gossip-premigrate; the user init containers keep their order', async () => {
  const ns = await c.namespace('sidecars', { 'gossip-safe.io/inject': 'enabled' });
  await c.ok(['-n', ns, 'apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata:
  name: cassandra-0
  annotations: {gossip-safe.io/migrate-from-image: "cassandra:4.1.5"}
spec:
  initContainers:
    - {name: mesh-proxy, image: "example.com/mesh/proxy:1.0", restartPolicy: Always}
    - {name: render-config, image: "busybox:1.36", command: [sh, -c, "true"]}
    - {name: metrics-agent, image: "example.com/metrics/agent:2.0", restartPolicy: Always}
  containers:
    - name: cassandra
      image: cassandra:5.0.2
      volumeMounts: [{name: data, mountPath: /var/lib/cassandra}]
  volumes:
    - {name: data, persistentVolumeClaim: {claimName: data-cassandra-0}}
`);
  const pod = await c.get<PodJson>('pod', 'cassandra-0', ns);
  const init = pod.spec.initContainers ?? [];
  const names = init.map((i) => i.name);
  expect(names).toContain('gossip-premigrate');
  const premigrate = names.indexOf('gossip-premigrate');
  for (const sidecar of init.filter((i) => i.restartPolicy === 'Always')) expect(names.indexOf(sidecar.name)).toBeLessThan(premigrate);
  expect(names.filter((n) => n !== 'gossip-premigrate')).toEqual(['mesh-proxy', 'render-config', 'metrics-agent']);
  expect(init[premigrate]?.image).toBe('cassandra:4.1.5');
  expect(init[premigrate]?.restartPolicy).toBeUndefined();
});
