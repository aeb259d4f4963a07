import type { Workload } from '../../src/k8s/types.js';
import { ruleIds, stsUpdate } from './helpers.js';

// Issue 22 item 3: a data PVC mounted with subPath was taken for "no persistent volume", so a major
// upgrade passed enforce with "nothing to pre-migrate". A subPath mount is as persistent as its
// volume (datastore/persistence.ts, one decision for naming and pre-migration), so the upgrade
// needs the migration step like any other, and with it the pre-migration can run.
function withSubPath(input: ReturnType<typeof stsUpdate>): ReturnType<typeof stsUpdate> {
  for (const w of [input.object, input.oldObject] as Workload[]) {
    for (const m of w.spec!.template!.spec!.containers[0]!.volumeMounts ?? []) {
      if (m.mountPath === '/var/lib/cassandra') m.subPath = 'cassandra';
    }
  }
  return input;
}

test('a major upgrade with the data PVC mounted with subPath is denied without the migration step', () => {
  expect(ruleIds(withSubPath(stsUpdate({ image: 'cassandra:3.11.16' }, { image: 'cassandra:4.1.3' })))).toEqual(['version-change-without-migration']);
});

test('with migrate-from-image it is allowed: the pre-migration can run on the subPath mount', () => {
  expect(ruleIds(withSubPath(stsUpdate({ image: 'cassandra:3.11.16' }, { image: 'cassandra:4.1.3', from: 'cassandra:3.11.16' })))).toEqual([]);
});
