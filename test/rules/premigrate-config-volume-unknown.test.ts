import type { Workload } from '../../src/k8s/types.js';
import { ruleIds, stsUpdate } from './helpers.js';

function withConfigVolume(name: string) {
  const input = stsUpdate({ image: 'cassandra:3.11.16' }, { image: 'cassandra:4.1.3', from: 'cassandra:3.11.16' });
  const t = (input.object as Workload).spec!.template!;
  t.metadata!.annotations = { ...t.metadata!.annotations, 'gossip-safe.io/premigrate-config-volume': name };
  t.spec!.volumes = [{ name: 'config-3', configMap: { name: 'c' } }];
  return input;
}

describe('premigrate-config-volume-unknown (issue 11 item 4)', () => {
  test('a pod volume or a claim template is accepted', () => {
    expect(ruleIds(withConfigVolume('config-3'))).toEqual([]);
    expect(ruleIds(withConfigVolume('data'))).toEqual([]);
  });
  test('an unknown name is denied, naming the volumes there are', () => {
    expect(ruleIds(withConfigVolume('config-311'))).toEqual(['premigrate-config-volume-unknown']);
  });
});
