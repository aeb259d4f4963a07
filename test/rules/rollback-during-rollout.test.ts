import { FINISHED, ruleIds, stsUpdate, UNFINISHED } from './helpers.js';

describe('rollback-during-rollout (issue 11 item 1)', () => {
  test('back to the version the unfinished rollout came from: allowed, warned; neither rollout-in-progress nor major-downgrade', () => {
    expect(ruleIds(stsUpdate({ image: 'cassandra:4.1.3', from: 'cassandra:3.11.16', status: UNFINISHED }, { image: 'cassandra:3.11.16' }))).toEqual(['rollback-during-rollout']);
  });
  test('the annotation still naming the version rolled back to (helm rollback) is the same rollback', () => {
    expect(ruleIds(stsUpdate({ image: 'cassandra:4.1.3', from: 'cassandra:3.11.16', status: UNFINISHED }, { image: 'cassandra:3.11.16', from: 'cassandra:3.11.16' }))).toEqual(['rollback-during-rollout']);
  });
  test('another version than the one the rollout came from is no rollback', () => {
    expect(ruleIds(stsUpdate({ image: 'cassandra:4.1.3', from: 'cassandra:3.11.16', status: UNFINISHED }, { image: 'cassandra:3.0.29' }))).toEqual(['rollout-in-progress', 'major-downgrade']);
  });
  test('after the rollout finished, the rollback is a downgrade like any other', () => {
    expect(ruleIds(stsUpdate({ image: 'cassandra:4.1.3', from: 'cassandra:3.11.16', status: FINISHED }, { image: 'cassandra:3.11.16' }))).toEqual(['major-downgrade']);
  });
});
