import type { Container } from '../k8s/types.js';
import { leaveCommandFor } from '../profiles/profile-set.js';
import type { Profile, ProfileSet } from '../profiles/types.js';
import { warning, type MutationReport } from './report.js';

function sameCommand(a: readonly string[] | null | undefined, b: readonly string[]): boolean {
  return a != null && a.length === b.length && a.every((s, i) => s === b[i]);
}

/** Adds the profile's graceful-leave preStop, unless the container has a preStop of its own. */
export function ensureLeaveHook(container: Container, profile: Profile, profiles: ProfileSet, report: MutationReport): void {
  const command = leaveCommandFor(profiles, profile, container.image ?? '');
  if (command === undefined) return;
  const existing = container.lifecycle?.preStop;
  if (existing != null) {
    if (!sameCommand(existing.exec?.command, command)) {
      report.warnings.push(
        warning(`container "${container.name}" keeps its own preStop hook; "${command.join(' ')}" was not added`),
      );
    }
    return;
  }
  container.lifecycle = { ...container.lifecycle, preStop: { exec: { command: [...command] } } };
  report.injected.push('preStop');
}
