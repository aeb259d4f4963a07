/**
 * The leave hook with credentials, and hooks that cannot work (issue 15). The facts behind each
 * rule are in README "Why" (consul and memberlist labs) and in src/profiles/builtin.ts.
 */
import type { Container, Pod } from '../src/k8s/types.js';
import { leaveDecision } from '../src/mutate/leave-hook.js';
import { mutatePod } from '../src/mutate/pod.js';
import { BUILTIN_PROFILES } from '../src/profiles/builtin.js';
import { profilesFromConfig } from '../src/profiles/config.js';
import { createProfileSet } from '../src/profiles/profile-set.js';

const ctx = { profiles: createProfileSet(BUILTIN_PROFILES) };

function pod(container: Container, grace?: number): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'x-0', namespace: 'data' },
    spec: { containers: [container], ...(grace === undefined ? {} : { terminationGracePeriodSeconds: grace }) },
  };
}

const preStop = (p: Pod): readonly string[] | undefined => p.spec?.containers[0]?.lifecycle?.preStop?.exec?.command ?? undefined;

describe('consul', () => {
  const client = (env: Container['env'] = [], extra: Partial<Container> = {}): Container => ({
    name: 'consul',
    image: 'hashicorp/consul:1.14.8',
    args: ['agent', '-retry-join=consul-server'],
    env,
    ...extra,
  });

  test('a client with a token file in its env gets `consul leave`, which reads the token and TLS settings from that env', () => {
    const r = mutatePod(pod(client([{ name: 'CONSUL_HTTP_TOKEN_FILE', value: '/consul/login/acl-token' }, { name: 'CONSUL_CACERT', value: '/tls/ca.pem' }])), ctx);
    expect(preStop(r.pod)).toEqual(['consul', 'leave']);
    expect(r.warnings).toEqual([]);
  });

  test('a token from a Secret (env valueFrom) counts as well', () => {
    const r = mutatePod(pod(client([{ name: 'CONSUL_HTTP_TOKEN', valueFrom: { secretKeyRef: { name: 'consul-token', key: 'token' } } }])), ctx);
    expect(preStop(r.pod)).toEqual(['consul', 'leave']);
  });

  test('envFrom may bring the token, so the hook is added', () => {
    const r = mutatePod(pod(client([], { envFrom: [{ secretRef: { name: 'consul-env' } }] })), ctx);
    expect(preStop(r.pod)).toEqual(['consul', 'leave']);
  });

  test('without any token in its env, `consul leave` would get a 403 under ACLs: not added, and the warning says why', () => {
    const r = mutatePod(pod(client()), ctx);
    expect(preStop(r.pod)).toBeUndefined();
    expect(r.injected).not.toContain('preStop');
    expect(r.warnings).toEqual([
      expect.stringMatching(/container "consul": "consul leave" was not added: the container sets none of CONSUL_HTTP_TOKEN, CONSUL_HTTP_TOKEN_FILE; .*403.*leave_on_terminate/),
    ]);
  });

  test('a server (-server inside a sh -c script, as consul-k8s runs it) never gets a leave, even with a token', () => {
    const server = client([{ name: 'CONSUL_HTTP_TOKEN', value: 't' }], {
      command: ['/bin/sh', '-ec', 'exec /usr/local/bin/docker-entrypoint.sh consul agent \\\n  -server \\\n  -bootstrap-expect=3'],
      args: [],
    });
    const r = mutatePod(pod(server), ctx);
    expect(preStop(r.pod)).toBeUndefined();
    expect(r.warnings).toEqual([expect.stringMatching(/"consul leave" was not added: the container runs with -server; .*Raft peer set/)]);
    // -server=false is not a server.
    expect(leaveDecision({ ...server, command: ['consul', 'agent', '-server=false'] }, ctx.profiles.byName.get('consul')!.leave[0]!)).toEqual({
      command: ['consul', 'leave'],
    });
  });

});

test('a consul client without persistent data gets a per-incarnation name; with /consul/data on a PVC it keeps its own', () => {
  const c: Container = { name: 'consul', image: 'hashicorp/consul:1.14.8', volumeMounts: [{ name: 'data', mountPath: '/consul/data' }] };
  const names = (p: Pod): string[] => (p.spec?.containers[0]?.env ?? []).map((e) => e.name);
  expect(names(mutatePod(pod(c), ctx).pod)).toContain('GOSSIP_NODE_NAME');
  const withPvc: Pod = { ...pod(c), spec: { containers: [c], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-consul-0' } }] } };
  expect(names(mutatePod(withPvc, ctx).pod)).not.toContain('GOSSIP_NODE_NAME');
});

describe('serf', () => {
  const serf = (args: string[], env: Container['env'] = []): Container => ({ name: 'serf', image: 'hashicorp/serf:0.10.1', command: ['serf', 'agent'], args, env });

  test('an agent on the default RPC address gets plain `serf leave`', () => {
    expect(preStop(mutatePod(pod(serf(['-node=$(GOSSIP_NODE_NAME)'])), ctx).pod)).toEqual(['serf', 'leave']);
  });

  test('-rpc-addr and -rpc-auth on the command line are repeated, in both flag spellings', () => {
    const r = mutatePod(pod(serf(['-rpc-addr=0.0.0.0:7374', '-rpc-auth', 's3cret'])), ctx);
    expect(preStop(r.pod)).toEqual(['serf', 'leave', '-rpc-addr=0.0.0.0:7374', '-rpc-auth=s3cret']);
    expect(r.warnings).toEqual([]);
  });

  test('SERF_RPC_ADDR / SERF_RPC_AUTH in the env are read by the CLI itself, so nothing is repeated', () => {
    const r = mutatePod(pod(serf(['-rpc-addr=0.0.0.0:7374', '-rpc-auth=$(KEY)'], [{ name: 'SERF_RPC_ADDR', value: '127.0.0.1:7374' }, { name: 'SERF_RPC_AUTH', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }])), ctx);
    expect(preStop(r.pod)).toEqual(['serf', 'leave']);
  });

  test('an RPC auth key the kubelet expands ($(VAR)) cannot be repeated in an exec hook: not added, warned', () => {
    const r = mutatePod(pod(serf(['-rpc-auth=$(RPC_KEY)'])), ctx);
    expect(preStop(r.pod)).toBeUndefined();
    expect(r.warnings).toEqual([expect.stringMatching(/"serf leave" was not added: the agent's -rpc-auth is "\$\(RPC_KEY\)".*set SERF_RPC_AUTH/)]);
  });

  test('mutating the result again changes nothing and warns nothing (the forwarded flags are ours)', () => {
    const once = mutatePod(pod(serf(['-rpc-addr=0.0.0.0:7374'])), ctx);
    const twice = mutatePod(once.pod, ctx);
    expect(twice.patch).toEqual([]);
    expect(twice.warnings).toEqual([]);
  });
});

describe('memberlist', () => {
  const profiles = createProfileSet(profilesFromConfig({ profiles: { memberlist: { extraImages: ['team/chat-app'] } } }, 'test'));

  test('matches no image until a config declares it', () => {
    const r = mutatePod(pod({ name: 'app', image: 'registry.example/team/chat-app:1.4.2' }), ctx);
    expect(r.profile).toBeUndefined();
  });

  test('a declared app gets a per-incarnation name and a grace period for its own leave, and no exec preStop', () => {
    const r = mutatePod(pod({ name: 'app', image: 'registry.example/team/chat-app:1.4.2' }, 5), { profiles });
    expect(r.profile).toBe('memberlist');
    expect(r.pod.spec?.containers[0]?.env?.find((e) => e.name === 'GOSSIP_NODE_NAME')).toEqual({ name: 'GOSSIP_NODE_NAME', value: '$(POD_UID)' });
    expect(preStop(r.pod)).toBeUndefined();
    expect(r.pod.spec?.terminationGracePeriodSeconds).toBe(20);
  });
});

describe('cassandra', () => {
  const cassandra = ctx.profiles.byName.get('cassandra')!;
  const legacy = ['nodetool', '-Dcom.sun.jndi.rmiURLParsing=legacy', 'drain'];

  test.each([
    ['cassandra:3.0.26', legacy],
    ['cassandra:3.0.27', ['nodetool', 'drain']],
    ['cassandra:3.11.12', legacy],
    ['bitnami/cassandra:3.11.4-debian-10-r1', legacy],
    ['cassandra:3.11.13', ['nodetool', 'drain']],
    ['cassandra:4.0.3', legacy],
    ['cassandra:4.0.4', ['nodetool', 'drain']],
    ['cassandra:4.1.3', ['nodetool', 'drain']],
    ['cassandra:5.0', ['nodetool', 'drain']],
    // No readable version: the plain command (a ranged rule never guesses).
    ['cassandra:latest', ['nodetool', 'drain']],
  ])('%s drains with %j (the IPv6 RMI workaround only where nodetool builds rmi://[127.0.0.1])', (image, command) => {
    expect(mutatePod(pod({ name: 'cassandra', image }), ctx).pod.spec?.containers[0]?.lifecycle?.preStop?.exec?.command).toEqual(command);
  });

  test('the management API image keeps its HTTP drain whatever its version', () => {
    const r = mutatePod(pod({ name: 'cassandra', image: 'k8ssandra/cass-management-api:3.11.7' }), ctx);
    expect(r.pod.spec?.containers[0]?.lifecycle?.preStop?.exec?.command).toEqual(cassandra.leave[0]!.command);
    expect(cassandra.leave[0]!.command.join(' ')).toMatch(/api\/v0\/ops\/node\/drain/);
  });
});
