import type { Container, Workload } from '../../src/k8s/types.js';
import { validateObject } from '../../src/validate/index.js';
import { ctx, ruleIds, stsUpdate } from './helpers.js';

/** Issue 22 item 2: GitOps, two upgrades in a row: the annotation moves on, the init container must too. */
function withInit(input: ReturnType<typeof stsUpdate>, initImage: string, target: string): ReturnType<typeof stsUpdate> {
  const init: Container = { name: 'gossip-premigrate', image: initImage, env: [{ name: 'GOSSIP_SAFE_TARGET_IMAGE', value: target }] };
  (input.object as Workload).spec!.template!.spec!.initContainers = [init];
  return input;
}

describe('stale-premigrate-init-container', () => {
  test('3.11 -> 4.1 kept in Git, then a bump to 5.0: the annotation names 4.1 but the init container still runs 3.11: denied', () => {
    const input = withInit(stsUpdate({ image: 'cassandra:4.1.5', from: 'cassandra:3.11.16' }, { image: 'cassandra:5.0.5', from: 'cassandra:4.1.5' }), 'cassandra:3.11.16', 'cassandra:4.1.5');
    const found = validateObject(input, ctx);
    expect(found.map((v) => v.rule)).toEqual(['stale-premigrate-init-container']);
    expect(found[0]!.message).toContain('its image is "cassandra:3.11.16" but gossip-safe.io/migrate-from-image is "cassandra:4.1.5"');
    expect(found[0]!.message).toContain('it prepares for "cassandra:4.1.5" (GOSSIP_SAFE_TARGET_IMAGE) but container "cassandra" runs "cassandra:5.0.5"');
  });

  test('the current one (old image = annotation, target = the main image) passes', () => {
    const input = withInit(stsUpdate({ image: 'cassandra:4.1.5', from: 'cassandra:3.11.16' }, { image: 'cassandra:5.0.5', from: 'cassandra:4.1.5' }), 'cassandra:4.1.5', 'cassandra:5.0.5');
    expect(ruleIds(input)).toEqual([]);
  });
});
