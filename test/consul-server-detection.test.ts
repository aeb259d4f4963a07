import type { Container, Pod, Volume } from '../src/k8s/types.js';
import { mutatePod } from '../src/mutate/pod.js';
import { BUILTIN_PROFILES } from '../src/profiles/builtin.js';
import { createProfileSet } from '../src/profiles/profile-set.js';
import { validateObject } from '../src/validate/index.js';

/**
 * Consul servers whose server mode is not on the command line (issue 24): the Bitnami image
 * (a server by default, data at /bitnami/consul), consul-k8s server pods (config file, labelled
 * component=server) and CONSUL_LOCAL_CONFIG with "server": true get neither `consul leave` nor
 * per-incarnation node-name advice.
 */
const profiles = createProfileSet(BUILTIN_PROFILES);

function pod(container: Container, volume: Volume, labels: Record<string, string> = {}): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'consul-0', namespace: 'consul', labels }, spec: { terminationGracePeriodSeconds: 30, containers: [container], volumes: [volume] } };
}
const TOKEN = { name: 'CONSUL_HTTP_TOKEN_FILE', value: '/consul/acl/token' };
const PVC: Volume = { name: 'data', persistentVolumeClaim: { claimName: 'data-consul-0' } };
const EMPTY = { name: 'data', emptyDir: {} } as Volume;

const preStop = (p: Pod) => p.spec?.containers[0]?.lifecycle?.preStop;
const envNames = (p: Pod) => (p.spec?.containers[0]?.env ?? []).map((e) => e.name);
const rules = (p: Pod) => validateObject({ operation: 'CREATE', kind: 'Pod', namespace: 'consul', object: p }, { profiles }).map((v) => v.rule);

describe.each<[string, Pod]>([
  ['Bitnami Consul (a server by default), data on a PVC at /bitnami/consul', pod({ name: 'consul', image: 'bitnami/consul:1.20.6', env: [TOKEN], volumeMounts: [{ name: 'data', mountPath: '/bitnami/consul' }] }, PVC)],
  ['Bitnami Consul server without a volume', pod({ name: 'consul', image: 'bitnami/consul:1.20.6', env: [TOKEN], volumeMounts: [{ name: 'data', mountPath: '/bitnami/consul' }] }, EMPTY)],
  ['consul-k8s server pod (server mode in its config file, labelled component=server)', pod({ name: 'consul', image: 'hashicorp/consul:1.20.6', env: [TOKEN], args: ['consul agent -config-dir=/consul/config -config-file=/consul/extra-config/extra-from-values.json'], volumeMounts: [{ name: 'data', mountPath: '/consul/data' }] }, PVC, { app: 'consul', component: 'server' })],
  ['CONSUL_LOCAL_CONFIG with "server": true', pod({ name: 'consul', image: 'hashicorp/consul:1.20.6', env: [TOKEN, { name: 'CONSUL_LOCAL_CONFIG', value: '{"server": true, "bootstrap_expect": 3}' }], volumeMounts: [{ name: 'data', mountPath: '/consul/data' }] }, EMPTY)],
])('%s', (_name, input) => {
  test('gets no consul leave preStop, and no per-incarnation node name', () => {
    const out = mutatePod(input, { profiles });
    expect(preStop(out.object)).toBeUndefined();
    expect(envNames(out.object)).not.toContain('GOSSIP_NODE_NAME');
    expect(out.warnings.join('\n')).toContain('server');
  });
  test('is not advised to take a per-pod node name or a leave hook', () => {
    expect(rules(input)).not.toContain('no-per-pod-node-name');
    expect(rules(input)).not.toContain('no-leave-hook');
  });
});

test('a Bitnami Consul client (CONSUL_AGENT_MODE=client) without a volume still leaves and gets a per-incarnation name', () => {
  const input = pod({ name: 'consul', image: 'bitnami/consul:1.20.6', env: [TOKEN, { name: 'CONSUL_AGENT_MODE', value: 'client' }], volumeMounts: [{ name: 'data', mountPath: '/bitnami/consul' }] }, EMPTY);
  const out = mutatePod(input, { profiles });
  expect(preStop(out.object)?.exec?.command).toEqual(['consul', 'leave']);
  expect(envNames(out.object)).toContain('GOSSIP_NODE_NAME');
});

test('a Bitnami Consul client with its data on a PVC keeps its name (the node ID persists at /bitnami/consul)', () => {
  const input = pod({ name: 'consul', image: 'bitnami/consul:1.20.6', env: [TOKEN, { name: 'CONSUL_AGENT_MODE', value: 'client' }], volumeMounts: [{ name: 'data', mountPath: '/bitnami/consul' }] }, PVC);
  expect(envNames(mutatePod(input, { profiles }).object)).not.toContain('GOSSIP_NODE_NAME');
});
