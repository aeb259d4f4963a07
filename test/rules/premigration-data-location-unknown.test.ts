import type { Workload } from '../../src/k8s/types.js';
import { validateObject } from '../../src/validate/index.js';
import { ctx, ruleIds, stsUpdate } from './helpers.js';

/** Issue 22 item 3: the data is persistent but where gossip-safe does not look: refuse, never skip. */
function withSubPath(input: ReturnType<typeof stsUpdate>): ReturnType<typeof stsUpdate> {
  for (const w of [input.object, input.oldObject] as Workload[]) {
    for (const m of w.spec!.template!.spec!.containers[0]!.volumeMounts ?? []) {
      if (m.mountPath === '/var/lib/cassandra') m.subPath = 'cassandra';
    }
  }
  return input;
}

describe('premigration-data-location-unknown', () => {
  test('a major upgrade with the data PVC mounted with subPath is denied with the fix, not allowed as "no persistent volume"', () => {
    const input = withSubPath(stsUpdate({ image: 'cassandra:3.11.16' }, { image: 'cassandra:4.1.3' }));
    const found = validateObject(input, ctx);
    expect(found.map((v) => v.rule)).toEqual(['premigration-data-location-unknown']);
    expect(found[0]!.message).toContain('mounts persistent volume "data" at /var/lib/cassandra with subPath "cassandra"');
    expect(found[0]!.message).toContain('mount the volume without subPath at the data directory');
  });

  test('also with migrate-from-image set (the mutating webhook would only warn and skip)', () => {
    const input = withSubPath(stsUpdate({ image: 'cassandra:3.11.16' }, { image: 'cassandra:4.1.3', from: 'cassandra:3.11.16' }));
    expect(ruleIds(input)).toEqual(['premigration-data-location-unknown']);
  });

  test('without subPath the ordinary rules apply', () => {
    expect(ruleIds(stsUpdate({ image: 'cassandra:3.11.16' }, { image: 'cassandra:4.1.3' }))).toEqual(['version-change-without-migration']);
  });
});
