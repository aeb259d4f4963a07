import { leaveCommandFor } from '../../profiles/profile-set.js';
import { defineRule, WORKLOADS } from '../rule.js';

export const noLeaveHook = defineRule({
  id: 'no-leave-hook',
  severity: 'warn',
  summary: 'The profile has a leave command and the container has no `preStop` hook.',
  fix: 'Enable injection, or add the preStop.',
  kinds: ['Pod', ...WORKLOADS],
  operations: ['CREATE', 'UPDATE'],
  profiles: 'all',
  onUpdate: 'introduced',
  check({ subject, profiles, selection }) {
    if (selection === undefined) return undefined;
    const { container, profile } = selection;
    const leave = leaveCommandFor(profiles, profile, container.image ?? '');
    if (leave === undefined || container.lifecycle?.preStop != null) return undefined;
    return { message: `${subject.ref}: container "${container.name}" has no preStop leave hook; add exec: ${leave.join(' ')}`, container: container.name };
  },
});
