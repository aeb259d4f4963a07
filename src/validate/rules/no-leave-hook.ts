import { leaveFor } from '../../datastore/leave.js';
import { defineRule, WORKLOADS } from '../rule.js';

export const noLeaveHook = defineRule({
  id: 'no-leave-hook',
  severity: 'warn',
  summary: 'The profile has a leave command that can work in this container (for Consul: a client with a token) and the container has no `preStop` hook.',
  fix: 'Enable injection, or add the preStop.',
  kinds: ['Pod', ...WORKLOADS],
  operations: ['CREATE', 'UPDATE'],
  profiles: 'all',
  onUpdate: 'introduced',
  check({ subject, profiles, selection, template }) {
    if (selection === undefined) return undefined;
    const { container, profile } = selection;
    // Only a hook the webhook would inject: none for a Consul server, none without the token it needs.
    const leave = leaveFor(container, profile, profiles, template.metadata?.labels);
    if (leave === undefined || !('command' in leave.decision) || container.lifecycle?.preStop != null) return undefined;
    return { message: `${subject.ref}: container "${container.name}" has no preStop leave hook; add exec: ${leave.decision.command.join(' ')}`, container: container.name };
  },
});
