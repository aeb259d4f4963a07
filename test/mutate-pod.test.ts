import type { Container, Pod } from '../src/k8s/types.js';
import { mutatePod } from '../src/mutate/pod.js';
import { createProfileSet } from '../src/profiles/profile-set.js';
import { BUILTIN_PROFILES } from '../src/profiles/builtin.js';

const ctx = { profiles: createProfileSet(BUILTIN_PROFILES) };

function pod(containers: Container[], extra: { annotations?: Record<string, string>; volumes?: Pod['spec'] extends infer S ? (S extends { volumes?: infer V } ? V : never) : never; grace?: number } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName: 'db-', namespace: 'data', ...(extra.annotations === undefined ? {} : { annotations: extra.annotations }) },
    spec: {
      containers,
      ...(extra.volumes === undefined ? {} : { volumes: extra.volumes }),
      ...(extra.grace === undefined ? {} : { terminationGracePeriodSeconds: extra.grace }),
    },
  };
}

const envNames = (p: Pod, i = 0): string[] => (p.spec?.containers[i]?.env ?? []).map((e) => e.name);

test('never modifies its input', () => {
  const input = pod([{ name: 'serf', image: 'hashicorp/serf:0.10.1' }]);
  const copy = structuredClone(input);
  const result = mutatePod(input, ctx);
  expect(input).toEqual(copy);
  expect(result.patch.length).toBeGreaterThan(0);
});

test('keeps a user-defined identity variable and warns when it differs', () => {
  const result = mutatePod(pod([{ name: 'serf', image: 'hashicorp/serf:0.10.1', env: [{ name: 'POD_UID', value: 'fixed' }] }]), ctx);
  expect(result.object.spec?.containers[0]?.env?.[0]).toEqual({ name: 'POD_UID', value: 'fixed' });
  expect(result.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/user-defined POD_UID kept/)]));
  expect(envNames(result.object)).toEqual(['POD_UID', 'POD_NAME', 'POD_NAMESPACE', 'POD_IP', 'GOSSIP_NODE_NAME']);
});

test('keeps a user-defined GOSSIP_NODE_NAME and warns', () => {
  const result = mutatePod(pod([{ name: 'serf', image: 'hashicorp/serf:0.10.1', env: [{ name: 'GOSSIP_NODE_NAME', value: 'static' }] }]), ctx);
  expect(result.object.spec?.containers[0]?.env?.find((e) => e.name === 'GOSSIP_NODE_NAME')?.value).toBe('static');
  expect(result.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/user-defined GOSSIP_NODE_NAME kept/)]));
});

test('warns when a user GOSSIP_NODE_NAME=$(POD_UID) precedes POD_UID, where it cannot expand', () => {
  const result = mutatePod(
    pod([{ name: 'serf', image: 'hashicorp/serf:0.10.1', env: [{ name: 'GOSSIP_NODE_NAME', value: '$(POD_UID)' }, { name: 'POD_UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } }] }]),
    ctx,
  );
  expect(result.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/comes before POD_UID/)]));
});

describe('consul node name depends on whether /consul/data is persistent', () => {
  const consul = (mounts: Container['volumeMounts']): Container => ({ name: 'consul', image: 'hashicorp/consul:1.17.1', ...(mounts === undefined ? {} : { volumeMounts: mounts }) });

  test('ephemeral data (no volume): per-pod node name', () => {
    expect(envNames(mutatePod(pod([consul(undefined)]), ctx).object)).toContain('GOSSIP_NODE_NAME');
  });
  test('emptyDir data: per-pod node name', () => {
    const p = pod([consul([{ name: 'data', mountPath: '/consul/data' }])], { volumes: [{ name: 'data', emptyDir: {} }] });
    expect(envNames(mutatePod(p, ctx).object)).toContain('GOSSIP_NODE_NAME');
  });
  test('PVC data (a server keeping its node_id): stable name kept', () => {
    const p = pod([consul([{ name: 'data', mountPath: '/consul' }])], { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-consul-0' } }] });
    expect(envNames(mutatePod(p, ctx).object)).not.toContain('GOSSIP_NODE_NAME');
  });
  test("a StatefulSet template's volumeClaimTemplate counts as persistent", () => {
    const p = pod([consul([{ name: 'data', mountPath: '/consul/data' }])]);
    expect(envNames(mutatePod(p, { ...ctx, persistentVolumeNames: new Set(['data']) }).object)).not.toContain('GOSSIP_NODE_NAME');
  });
});

describe('overrides', () => {
  test('gossip-safe.io/profile forces a profile on an unknown image', () => {
    const result = mutatePod(pod([{ name: 'app', image: 'mycorp/chat:1.0' }], { annotations: { 'gossip-safe.io/profile': 'serf' } }), ctx);
    expect(result.profile).toBe('serf');
    expect(envNames(result.object)).toContain('GOSSIP_NODE_NAME');
  });

  test('gossip-safe.io/container picks the datastore container among several', () => {
    const result = mutatePod(
      pod([{ name: 'proxy', image: 'envoy:1.28' }, { name: 'app', image: 'mycorp/chat:1.0' }], { annotations: { 'gossip-safe.io/container': 'app', 'gossip-safe.io/profile': 'serf' } }),
      ctx,
    );
    expect(result.container).toBe('app');
    expect(result.object.spec?.containers[0]?.env).toBeUndefined();
    expect(envNames(result.object, 1)).toContain('GOSSIP_NODE_NAME');
  });

  test.each([
    [{ 'gossip-safe.io/profile': 'riak' }, /unknown profile "riak"/],
    [{ 'gossip-safe.io/container': 'nope' }, /names "nope", which is not a container/],
  ])('a bad override %j is a warning and nothing is injected', (annotations, message) => {
    const result = mutatePod(pod([{ name: 'serf', image: 'hashicorp/serf:0.10.1' }], { annotations }), ctx);
    expect(result.patch).toEqual([]);
    expect(result.warnings).toEqual([expect.stringMatching(message)]);
  });

  test('several datastore containers: the first is handled, with a warning', () => {
    const result = mutatePod(pod([{ name: 'a', image: 'hashicorp/serf:0.10.1' }, { name: 'b', image: 'hashicorp/serf:0.10.1' }]), ctx);
    expect(result.container).toBe('a');
    expect(result.warnings).toEqual([expect.stringMatching(/several datastore containers \(a, b\)/)]);
  });
});

test('a pod without a datastore container gets no patch and no warning', () => {
  const result = mutatePod(pod([{ name: 'web', image: 'nginx:1.25' }]), ctx);
  expect(result.patch).toEqual([]);
  expect(result.warnings).toEqual([]);
});

test('the grace period is left alone when already long enough', () => {
  const result = mutatePod(pod([{ name: 'c', image: 'cassandra:4.1.3' }], { grace: 300 }), ctx);
  expect(result.object.spec?.terminationGracePeriodSeconds).toBe(300);
  expect(result.injected).not.toContain('terminationGracePeriodSeconds');
});

test('managedFields never appear in a patch', () => {
  const input = pod([{ name: 'serf', image: 'hashicorp/serf:0.10.1' }]);
  input.metadata = { ...input.metadata, managedFields: [{ manager: 'kubectl', operation: 'Update' }] };
  const result = mutatePod(input, ctx);
  expect(result.patch.some((op) => op.path.includes('managedFields'))).toBe(false);
});

test('a reinvocation after another webhook removed the preStop restores only the preStop', () => {
  const first = mutatePod(pod([{ name: 'serf', image: 'hashicorp/serf:0.10.1' }]), ctx).object;
  // Another webhook removed the preStop between invocations: gossip-safe adds it back; the status
  // already records it, so the status annotation is not rewritten.
  delete first.spec!.containers[0]!.lifecycle;
  const second = mutatePod(first, ctx);
  const status = JSON.parse(second.object.metadata?.annotations?.['gossip-safe.io/status'] ?? '{}') as { injected: string[] };
  expect(second.patch.map((op) => op.path)).toEqual(['/spec/containers/0/lifecycle']);
  expect(status.injected).toEqual(expect.arrayContaining(['env:POD_UID', 'preStop']));
});

test('a pod labelled gossip-safe.io/inject=disabled is left alone', () => {
  const input = pod([{ name: 'serf', image: 'hashicorp/serf:0.10.1' }]);
  input.metadata = { ...input.metadata, labels: { 'gossip-safe.io/inject': 'disabled' } };
  const result = mutatePod(input, ctx);
  expect(result.patch).toEqual([]);
  expect(result.warnings).toEqual([]);
});
