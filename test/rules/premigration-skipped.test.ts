import type { Workload } from '../../src/k8s/types.js';
import { ruleIds, stsUpdate } from './helpers.js';

describe('premigration-skipped (issue 11 items 2, 5, 6)', () => {
  test('an upgrade of the k8ssandra management-API image: warned, not denied for a step that cannot come', () => {
    expect(ruleIds(stsUpdate({ image: 'k8ssandra/cass-management-api:3.11.16' }, { image: 'k8ssandra/cass-management-api:4.1.3' }))).toEqual(['premigration-skipped']);
  });
  test('data on emptyDir: warned instead of version-change-without-migration', () => {
    const input = stsUpdate({ image: 'cassandra:3.11.16' }, { image: 'cassandra:4.1.3' });
    for (const w of [input.object, input.oldObject] as Workload[]) {
      delete w.spec!.volumeClaimTemplates;
      w.spec!.template!.spec!.volumes = [{ name: 'data', emptyDir: {} }];
    }
    expect(ruleIds(input)).toEqual(['premigration-skipped']);
  });
  test('an ordinary upgrade on a PVC still demands the migration step', () => {
    expect(ruleIds(stsUpdate({ image: 'cassandra:3.11.16' }, { image: 'cassandra:4.1.3' }))).toEqual(['version-change-without-migration']);
  });
  test('re-applying the same template repeats nothing (reported only when introduced)', () => {
    expect(ruleIds(stsUpdate({ image: 'cassandra:4.1.3', from: 'not an image' }, { image: 'cassandra:4.1.3', from: 'not an image' }))).toEqual([]);
  });
});
