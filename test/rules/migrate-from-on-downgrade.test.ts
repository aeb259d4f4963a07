import { ruleIds, stsUpdate } from './helpers.js';

// Patch downgrades: a minor Cassandra downgrade is itself denied by the upgrade-path table
// (`unsupported-downgrade`, test/upgrade-path-examples.test.ts).
describe('migrate-from-on-downgrade (issue 11 item 1)', () => {
  test('a patch downgrade that keeps the upgrade\'s annotation is denied', () => {
    expect(ruleIds(stsUpdate({ image: 'cassandra:4.1.3', from: 'cassandra:3.11.16' }, { image: 'cassandra:4.1.2', from: 'cassandra:3.11.16' }))).toEqual(['migrate-from-on-downgrade']);
  });
  test('the same downgrade without the annotation is not', () => {
    expect(ruleIds(stsUpdate({ image: 'cassandra:4.1.3', from: 'cassandra:3.11.16' }, { image: 'cassandra:4.1.2' }))).toEqual([]);
  });
  test('a rollback keeping the pre-upgrade revision\'s own annotation is not', () => {
    expect(ruleIds(stsUpdate({ image: 'cassandra:4.1.3', from: 'cassandra:4.1.2' }, { image: 'cassandra:4.1.2', from: 'cassandra:3.11.16' }))).toEqual([]);
  });
});
