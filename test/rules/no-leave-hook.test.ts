import type { AdmissionRequest } from '../../src/admission/types.js';
import type { Container } from '../../src/k8s/types.js';
import { BUILTIN_PROFILES } from '../../src/profiles/builtin.js';
import { createProfileSet } from '../../src/profiles/profile-set.js';
import { handleMutation } from '../../src/webhook/mutate.js';
import { handleValidation } from '../../src/webhook/validate.js';

/**
 * `no-leave-hook` asks only for a hook the mutating webhook would inject: none for a Consul
 * server (a leave shrinks the Raft quorum) or a client without a token (the hook would get a 403).
 */
const ctx = { profiles: createProfileSet(BUILTIN_PROFILES) };

function podCreate(container: Container): AdmissionRequest {
  return {
    uid: 'u',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    operation: 'CREATE',
    namespace: 'data',
    object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x-0', namespace: 'data' }, spec: { containers: [container] } },
  };
}

const rulesOf = (request: AdmissionRequest): readonly string[] => handleValidation(request, ctx, 'warn').rules ?? [];
const injectedOf = (request: AdmissionRequest): readonly string[] => handleMutation(request, ctx).injected ?? [];

describe('no-leave-hook agrees with the injection', () => {
  test.each([
    ['a Consul server', { name: 'consul', image: 'hashicorp/consul:1.14.8', command: ['consul', 'agent', '-server'], env: [{ name: 'CONSUL_HTTP_TOKEN', value: 't' }] }],
    ['a Consul client without a token', { name: 'consul', image: 'hashicorp/consul:1.14.8', command: ['consul', 'agent'] }],
    ['a Cassandra with JMX authentication on and no credentials', { name: 'cassandra', image: 'cassandra:4.1.3', env: [{ name: 'LOCAL_JMX', value: 'no' }] }],
  ])('%s: no hook injected, and none asked for', (_what, container: Container) => {
    const request = podCreate(container);
    expect(injectedOf(request)).not.toContain('preStop');
    expect(rulesOf(request)).not.toContain('no-leave-hook');
  });

  test('a Consul client with a token file: the hook is injected, and asked for when absent', () => {
    const request = podCreate({
      name: 'consul',
      image: 'hashicorp/consul:1.14.8',
      command: ['consul', 'agent'],
      env: [{ name: 'CONSUL_HTTP_TOKEN_FILE', value: '/consul/token' }],
    });
    expect(injectedOf(request)).toContain('preStop');
    const outcome = handleValidation(request, ctx, 'warn');
    expect(outcome.rules).toContain('no-leave-hook');
    expect(outcome.warnings?.join('\n')).toContain('add exec: consul leave');
  });

  test('a Cassandra with JMX credentials: the sh -c nodetool hook is injected, and asked for when absent', () => {
    const request = podCreate({
      name: 'cassandra',
      image: 'cassandra:4.1.3',
      env: [
        { name: 'LOCAL_JMX', value: 'no' },
        { name: 'CASSANDRA_JMX_USERNAME', value: 'controlRole' },
        { name: 'CASSANDRA_JMX_PASSWORD_FILE', value: '/etc/jmx/jmxremote.password' },
      ],
    });
    expect(injectedOf(request)).toContain('preStop');
    const outcome = handleValidation(request, ctx, 'warn');
    expect(outcome.rules).toContain('no-leave-hook');
    expect(outcome.warnings?.join('\n')).toContain('-pwf "$CASSANDRA_JMX_PASSWORD_FILE" drain');
  });
});
