import { parse as parseYaml } from 'yaml';
import { ANNOTATION_MIGRATE_FROM } from '../../src/contract.js';
import { injectObject } from '../../src/offline/injection.js';
import type { K8sObject } from '../../src/offline/manifests.js';
import { claimTemplateNames } from '../../src/datastore/persistence.js';
import type { Workload } from '../../src/k8s/types.js';
import { applyPatch } from '../../src/patch/diff.js';
import { mutatePodTemplate } from '../../src/mutate/template.js';
import { BUILTIN_PROFILES } from '../../src/profiles/builtin.js';
import { createProfileSet } from '../../src/profiles/profile-set.js';
import { handleMutation } from '../../src/webhook/mutate.js';
import { cassandraStatefulSet } from './manifests.js';

// In process: `injectObject` is what `inject` and `check --assume-injection` compute. It works
// on the pod template only; these tests hold it to the webhooks' own answers for the whole object.

const profiles = createProfileSet(BUILTIN_PROFILES);
const statefulSet = (image: string): Workload => parseYaml(cassandraStatefulSet(image)) as Workload;

/** The workload as the mutating webhook's UPDATE patch leaves it. */
function afterUpdateWebhook(base: Workload, head: Workload): Workload {
  const outcome = handleMutation(
    { uid: 'u', kind: { group: 'apps', version: 'v1', kind: 'StatefulSet' }, operation: 'UPDATE', namespace: 'db', name: 'cassandra', object: head, oldObject: base },
    { profiles, persistentVolumeNames: claimTemplateNames('StatefulSet', head) },
  );
  return applyPatch(head, outcome.patch ?? []);
}

test('a version change from the base: the UPDATE webhook\'s result, then the pod mutation on its template; the input untouched', () => {
  const base = statefulSet('cassandra:3.11.16');
  const head = statefulSet('cassandra:4.1.3');
  const headBefore = structuredClone(head);
  const result = injectObject({ object: head as K8sObject, oldObject: base as K8sObject }, profiles);

  const updated = afterUpdateWebhook(base, head);
  expect(updated.spec!.template!.metadata!.annotations![ANNOTATION_MIGRATE_FROM]).toBe('cassandra:3.11.16');
  const template = mutatePodTemplate(updated.spec!.template!, { profiles, persistentVolumeNames: new Set(['data']) }).object;
  expect(result.object).toEqual({ ...updated, spec: { ...updated.spec, template } });
  expect(result.injected).toEqual(expect.arrayContaining(['annotation:migrate-from-image']));
  expect(result.profile).toBe('cassandra');
  expect(head).toEqual(headBefore);
});

test('nothing to do: the result is the input object itself', () => {
  const serviceLike: K8sObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'cassandra' } };
  expect(injectObject({ object: serviceLike }, profiles).object).toBe(serviceLike);
  const optedOut = statefulSet('cassandra:4.1.3');
  optedOut.spec!.template!.metadata!.labels = { app: 'cassandra', 'gossip-safe.io/inject': 'disabled' };
  const same = statefulSet('cassandra:4.1.3');
  same.spec!.template!.metadata!.labels = { app: 'cassandra', 'gossip-safe.io/inject': 'disabled' };
  expect(injectObject({ object: optedOut as K8sObject, oldObject: same as K8sObject }, profiles).object).toBe(optedOut);
});
