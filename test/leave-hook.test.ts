/**
 * The leave hook with credentials, and hooks that cannot work (issue 15). The facts behind each
 * rule are in README "Why" (consul and memberlist labs) and in src/profiles/builtin.ts.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Container, Pod } from '../src/k8s/types.js';
import { leaveDecision } from '../src/datastore/leave.js';
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
    expect(preStop(r.object)).toEqual(['consul', 'leave']);
    expect(r.warnings).toEqual([]);
  });

  test('a token from a Secret (env valueFrom) counts as well', () => {
    const r = mutatePod(pod(client([{ name: 'CONSUL_HTTP_TOKEN', valueFrom: { secretKeyRef: { name: 'consul-token', key: 'token' } } }])), ctx);
    expect(preStop(r.object)).toEqual(['consul', 'leave']);
  });

  test('envFrom may bring the token, so the hook is added', () => {
    const r = mutatePod(pod(client([], { envFrom: [{ secretRef: { name: 'consul-env' } }] })), ctx);
    expect(preStop(r.object)).toEqual(['consul', 'leave']);
  });

  test('without any token in its env, `consul leave` would get a 403 under ACLs: not added, and the warning says why', () => {
    const r = mutatePod(pod(client()), ctx);
    expect(preStop(r.object)).toBeUndefined();
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
    expect(preStop(r.object)).toBeUndefined();
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
  expect(names(mutatePod(pod(c), ctx).object)).toContain('GOSSIP_NODE_NAME');
  const withPvc: Pod = { ...pod(c), spec: { containers: [c], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-consul-0' } }] } };
  expect(names(mutatePod(withPvc, ctx).object)).not.toContain('GOSSIP_NODE_NAME');
});

describe('serf', () => {
  const serf = (args: string[], env: Container['env'] = []): Container => ({ name: 'serf', image: 'hashicorp/serf:0.10.1', command: ['serf', 'agent'], args, env });

  test('an agent on the default RPC address gets plain `serf leave`', () => {
    expect(preStop(mutatePod(pod(serf(['-node=$(GOSSIP_NODE_NAME)'])), ctx).object)).toEqual(['serf', 'leave']);
  });

  test('-rpc-addr and -rpc-auth on the command line are repeated, in both flag spellings', () => {
    const r = mutatePod(pod(serf(['-rpc-addr=0.0.0.0:7374', '-rpc-auth', 's3cret'])), ctx);
    expect(preStop(r.object)).toEqual(['serf', 'leave', '-rpc-addr=0.0.0.0:7374', '-rpc-auth=s3cret']);
    expect(r.warnings).toEqual([]);
  });

  test('SERF_RPC_ADDR / SERF_RPC_AUTH in the env are read by the CLI itself, so nothing is repeated', () => {
    const r = mutatePod(pod(serf(['-rpc-addr=0.0.0.0:7374', '-rpc-auth=$(KEY)'], [{ name: 'SERF_RPC_ADDR', value: '127.0.0.1:7374' }, { name: 'SERF_RPC_AUTH', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }])), ctx);
    expect(preStop(r.object)).toEqual(['serf', 'leave']);
  });

  test('an RPC auth key the kubelet expands ($(VAR)) cannot be repeated in an exec hook: not added, warned', () => {
    const r = mutatePod(pod(serf(['-rpc-auth=$(RPC_KEY)'])), ctx);
    expect(preStop(r.object)).toBeUndefined();
    expect(r.warnings).toEqual([expect.stringMatching(/"serf leave" was not added: the agent's -rpc-auth is "\$\(RPC_KEY\)".*set SERF_RPC_AUTH/)]);
  });

  test('mutating the result again changes nothing and warns nothing (the forwarded flags are ours)', () => {
    const once = mutatePod(pod(serf(['-rpc-addr=0.0.0.0:7374'])), ctx);
    const twice = mutatePod(once.object, ctx);
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
    expect(r.object.spec?.containers[0]?.env?.find((e) => e.name === 'GOSSIP_NODE_NAME')).toEqual({ name: 'GOSSIP_NODE_NAME', value: '$(POD_UID)' });
    expect(preStop(r.object)).toBeUndefined();
    expect(r.object.spec?.terminationGracePeriodSeconds).toBe(20);
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
    expect(mutatePod(pod({ name: 'cassandra', image }), ctx).object.spec?.containers[0]?.lifecycle?.preStop?.exec?.command).toEqual(command);
  });

  describe('JMX credentials', () => {
    const user = { name: 'CASSANDRA_JMX_USERNAME', value: 'controlRole' };
    const pwFile = { name: 'CASSANDRA_JMX_PASSWORD_FILE', value: '/etc/jmx/jmxremote.password' };
    const pwSecret = { name: 'CASSANDRA_JMX_PASSWORD', valueFrom: { secretKeyRef: { name: 'jmx', key: 'password' } } };
    const authOn = { name: 'LOCAL_JMX', value: 'no' };

    test('a user and a mounted password file: nodetool -u/-pwf through sh -c, the variables quoted and expanded only by the shell', () => {
      const r = mutatePod(pod({ name: 'cassandra', image: 'cassandra:4.1.3', env: [authOn, user, pwFile] }, 120), ctx);
      expect(preStop(r.object)).toEqual(['sh', '-c', 'exec nodetool -u "$CASSANDRA_JMX_USERNAME" -pwf "$CASSANDRA_JMX_PASSWORD_FILE" drain']);
      expect(r.warnings).toEqual([]);
      // No credential value in the pod spec: only the names.
      expect(JSON.stringify(r.object.spec?.containers[0]?.lifecycle)).not.toContain('/etc/jmx');
    });

    test('run by a real sh, the hook hands nodetool each value as one argument, whatever it holds', () => {
      const command = preStop(mutatePod(pod({ name: 'cassandra', image: 'cassandra:5.0', env: [user, pwSecret] }, 120), ctx).object)!;
      const dir = mkdtempSync(join(tmpdir(), 'gs-jmx-'));
      try {
        // A stand-in nodetool that prints its arguments, one a line.
        writeFileSync(join(dir, 'nodetool'), '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n');
        chmodSync(join(dir, 'nodetool'), 0o755);
        const password = `p w;$(touch ${join(dir, 'pwned')}) *'"`;
        const out = execFileSync(command[0]!, command.slice(1), {
          env: { PATH: `${dir}:/usr/bin:/bin`, CASSANDRA_JMX_USERNAME: 'control Role', CASSANDRA_JMX_PASSWORD: password },
          encoding: 'utf8',
        });
        expect(out.split('\n').slice(0, -1)).toEqual(['-u', 'control Role', '-pw', password, 'drain']);
        expect(() => execFileSync('test', ['-e', join(dir, 'pwned')])).toThrow();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('a password from a Secret (env valueFrom): -pw "$VAR", the secret never in the spec', () => {
      const r = mutatePod(pod({ name: 'cassandra', image: 'cassandra:5.0', env: [user, pwSecret] }, 120), ctx);
      expect(preStop(r.object)).toEqual(['sh', '-c', 'exec nodetool -u "$CASSANDRA_JMX_USERNAME" -pw "$CASSANDRA_JMX_PASSWORD" drain']);
    });

    test('the password file wins over a password on the command line when both are set', () => {
      const r = mutatePod(pod({ name: 'cassandra', image: 'cassandra:5.0', env: [user, pwSecret, pwFile] }, 120), ctx);
      expect(preStop(r.object)?.[2]).toContain('-pwf "$CASSANDRA_JMX_PASSWORD_FILE"');
    });

    test('an old image keeps the IPv6 RMI workaround, with the credentials before `drain`', () => {
      const r = mutatePod(pod({ name: 'cassandra', image: 'cassandra:3.11.12', env: [user, pwFile] }, 120), ctx);
      expect(preStop(r.object)).toEqual([
        'sh',
        '-c',
        'exec nodetool -Dcom.sun.jndi.rmiURLParsing=legacy -u "$CASSANDRA_JMX_USERNAME" -pwf "$CASSANDRA_JMX_PASSWORD_FILE" drain',
      ]);
    });

    test.each([
      ['LOCAL_JMX=no', [authOn], /JMX authentication is on \(LOCAL_JMX=no\)/],
      [
        'JVM_EXTRA_OPTS with jmxremote.authenticate=true',
        [{ name: 'JVM_EXTRA_OPTS', value: '-Dcom.sun.management.jmxremote.authenticate=true -Dcom.sun.management.jmxremote.password.file=/etc/jmx/p' }],
        /JMX authentication is on \(JVM_EXTRA_OPTS has com\.sun\.management\.jmxremote\.authenticate=true\)/,
      ],
      ['LOCAL_JMX=no with a user but no password', [authOn, user], /LOCAL_JMX=no/],
      ['LOCAL_JMX=no with a password file but no user (nodetool reads -pwf only for a -u)', [authOn, pwFile], /LOCAL_JMX=no/],
    ])('%s and no usable credentials: no hook, and the warning says why', (_what, env, why) => {
      const r = mutatePod(pod({ name: 'cassandra', image: 'cassandra:4.1.3', env }, 120), ctx);
      expect(preStop(r.object)).toBeUndefined();
      expect(r.injected).not.toContain('preStop');
      expect(r.warnings).toEqual([expect.stringMatching(why)]);
      expect(r.warnings[0]).toMatch(/container "cassandra": "nodetool drain" was not added: .*set CASSANDRA_JMX_USERNAME and CASSANDRA_JMX_PASSWORD_FILE/);
    });

    test('authentication on the command line counts too', () => {
      const r = mutatePod(
        pod({ name: 'cassandra', image: 'cassandra:4.1.3', command: ['sh', '-c', 'JVM_OPTS="-Dcom.sun.management.jmxremote.authenticate=true" exec cassandra -f'] }, 120),
        ctx,
      );
      expect(preStop(r.object)).toBeUndefined();
      expect(r.warnings).toEqual([expect.stringMatching(/its command line has com\.sun\.management\.jmxremote\.authenticate=true/)]);
    });

    test('LOCAL_JMX=yes (the default: local JMX without authentication) keeps the plain exec hook', () => {
      const r = mutatePod(pod({ name: 'cassandra', image: 'cassandra:4.1.3', env: [{ name: 'LOCAL_JMX', value: 'yes' }] }, 120), ctx);
      expect(preStop(r.object)).toEqual(['nodetool', 'drain']);
      expect(r.warnings).toEqual([]);
    });
  });

  test('the management API image keeps its HTTP drain whatever its version', () => {
    const r = mutatePod(pod({ name: 'cassandra', image: 'k8ssandra/cass-management-api:3.11.7' }), ctx);
    expect(r.object.spec?.containers[0]?.lifecycle?.preStop?.exec?.command).toEqual(cassandra.leave[0]!.command);
    expect(cassandra.leave[0]!.command.join(' ')).toMatch(/api\/v0\/ops\/node\/drain/);
  });
});
