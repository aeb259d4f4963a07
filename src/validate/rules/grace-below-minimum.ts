import { DEFAULT_GRACE_SECONDS } from '../../datastore/conventions.js';
import { defineRule, WORKLOADS } from '../rule.js';

export const graceBelowMinimum = defineRule({
  id: 'grace-below-minimum',
  severity: 'warn',
  summary: '`terminationGracePeriodSeconds` (default 30) is below the profile minimum.',
  fix: 'Raise it.',
  kinds: ['Pod', ...WORKLOADS],
  operations: ['CREATE', 'UPDATE'],
  profiles: 'all',
  onUpdate: 'introduced',
  check({ subject, template, selection }) {
    if (selection === undefined) return undefined;
    const { container, profile } = selection;
    const grace = template.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
    if (grace >= profile.minGraceSeconds) return undefined;
    return {
      message: `${subject.ref}: terminationGracePeriodSeconds ${grace} is below the ${profile.name} minimum; set it to ${profile.minGraceSeconds}`,
      container: container.name,
    };
  },
});
