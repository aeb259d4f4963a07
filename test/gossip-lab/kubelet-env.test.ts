import type { Container, Pod } from '../../src/k8s/types.js';
import { mutatePod } from '../../src/mutate/pod.js';
import { BUILTIN_PROFILES } from '../../src/profiles/builtin.js';
import { createProfileSet } from '../../src/profiles/profile-set.js';
import { loadReview } from '../helpers/fixtures.js';
import { expandCommand, expandVars, resolveContainerEnv, type PodFacts } from './kubelet-env.js';

// The lab's kubelet must expand exactly as the real one, or the lab would prove nothing.
const facts: PodFacts = { uid: 'b1f7c2a4-0000-4000-8000-000000000002', name: 'db-2', namespace: 'consul', ip: '127.1.2.3' };
const known = (vars: Record<string, string>) => (name: string) => (Object.hasOwn(vars, name) ? vars[name] : undefined);

test.each([
  ['$(A)-x', 'a-x'],
  ['$(MISSING)', '$(MISSING)'],
  ['$$(A)', '$(A)'],
  ['$$$(A)', '$a'],
  ['$(A', '$(A'],
  ['a$b', 'a$b'],
  ['trailing$', 'trailing$'],
  ['$(A)$(B)', 'ab'],
  ['$()', '$()'],
])('expandVars(%j) is %j', (input, expected) => {
  expect(expandVars(input, known({ A: 'a', B: 'b' }))).toBe(expected);
});

test('fieldRef values come from the pod; $(VAR) only sees earlier entries', () => {
  const container: Container = {
    name: 'c',
    env: [
      { name: 'EARLY', value: 'node-$(POD_UID)' },
      { name: 'POD_UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'LATE', value: 'node-$(POD_UID)@$(POD_IP)' },
      { name: 'ESCAPED', value: '$$(POD_UID)' },
    ],
  };
  expect(resolveContainerEnv(container, facts)).toEqual({
    EARLY: 'node-$(POD_UID)',
    POD_UID: facts.uid,
    POD_IP: facts.ip,
    LATE: `node-${facts.uid}@${facts.ip}`,
    ESCAPED: '$(POD_UID)',
  });
});

test('sources the lab cannot simulate fail loudly instead of resolving to nothing', () => {
  expect(() => resolveContainerEnv({ name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }, facts)).toThrow(
    /not simulated/,
  );
  expect(() => resolveContainerEnv({ name: 'c', env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }] }, facts)).toThrow(
    /spec.nodeName is not simulated/,
  );
});

test('the mutated recorded Serf pod resolves to -node=<pod UID>', () => {
  const pod = loadReview('pod-create-generatename-serf.json').request.object as Pod;
  const mutated = mutatePod(pod, { profiles: createProfileSet(BUILTIN_PROFILES) }).object;
  const serf = mutated.spec!.containers.find((c) => c.name === 'serf')!;
  const env = resolveContainerEnv(serf, facts);
  expect(env['GOSSIP_NODE_NAME']).toBe(facts.uid);
  expect(expandCommand(serf.args ?? [], env)).toEqual(['agent', `-node=${facts.uid}`]);
  // Unmutated, the reference has nothing to expand to and stays literal, as in a real pod.
  const plain = pod.spec!.containers.find((c) => c.name === 'serf')!;
  expect(expandCommand(plain.args ?? [], resolveContainerEnv(plain, facts))).toEqual(['agent', '-node=$(GOSSIP_NODE_NAME)']);
});
