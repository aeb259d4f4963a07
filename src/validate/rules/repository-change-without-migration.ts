import { versionPair } from '../messages.js';
import { defineRule, WORKLOADS } from '../rule.js';
import { unreadableChange, unreadableFix } from './unreadable-change.js';

export const repositoryChangeWithoutMigration = defineRule({
  id: 'repository-change-without-migration',
  severity: 'deny',
  summary: 'The datastore image moves to another repository and a version cannot be read from one of the images, without a migration step.',
  fix: 'As above; or use version tags.',
  kinds: WORKLOADS,
  operations: ['UPDATE'],
  profiles: 'premigration-required',
  check({ subject, template, change }) {
    const unreadable = unreadableChange(template, change);
    if (unreadable === undefined || !unreadable.repositoryChanged) return undefined;
    return {
      message: `${subject.ref}: container "${unreadable.container}" moves ${versionPair(unreadable)}, another repository with no readable version, without an IP-migration step; ${unreadableFix(subject, unreadable)}`,
      container: unreadable.container,
    };
  },
});
