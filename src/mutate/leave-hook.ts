import { leaveFor } from '../datastore/leave.js';
import type { Container } from '../k8s/types.js';
import type { Profile, ProfileSet } from '../profiles/types.js';
import { warning, type MutationReport } from './report.js';

function sameCommand(a: readonly string[] | null | undefined, b: readonly string[]): boolean {
  return a != null && a.length === b.length && a.every((s, i) => s === b[i]);
}

/**
 * Adds the profile's graceful-leave preStop, unless the container has a preStop of its own, or
 * the hook cannot work there (then a warning says why and nothing is added).
 */
export function ensureLeaveHook(container: Container, profile: Profile, profiles: ProfileSet, report: MutationReport, labels?: Readonly<Record<string, string>> | null): void {
  const leave = leaveFor(container, profile, profiles, labels);
  if (leave === undefined) return;
  const { rule, decision } = leave;
  const existing = container.lifecycle?.preStop;
  if (existing != null) {
    if (!sameCommand(existing.exec?.command, 'command' in decision ? decision.command : rule.command)) {
      report.warnings.push(
        warning(`container "${container.name}" keeps its own preStop hook; "${rule.command.join(' ')}" was not added`),
      );
    }
    return;
  }
  if ('skip' in decision) {
    report.warnings.push(warning(`container "${container.name}": ${decision.skip}`));
    return;
  }
  container.lifecycle = { ...container.lifecycle, preStop: { exec: { command: [...decision.command] } } };
  report.injected.push('preStop');
}
