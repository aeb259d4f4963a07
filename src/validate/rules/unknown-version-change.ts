import { defineRule, WORKLOADS } from '../rule.js';
import { unreadableChange } from './unreadable-change.js';

export const unknownVersionChange = defineRule({
  id: 'unknown-version-change',
  severity: 'warn',
  summary: 'The datastore image changes within its repository but a version cannot be read (digest only, `latest`, a word tag).',
  fix: 'Use version tags.',
  kinds: WORKLOADS,
  operations: ['UPDATE'],
  profiles: 'premigration-required',
  check({ subject, template, change }) {
    const unreadable = unreadableChange(template, change);
    if (unreadable === undefined || unreadable.repositoryChanged) return undefined;
    return {
      message: `${subject.ref}: cannot read the ${unreadable.profile.name} versions of ${JSON.stringify(unreadable.oldImage)} -> ${JSON.stringify(unreadable.newImage)}; use version tags`,
      container: unreadable.container,
    };
  },
});
