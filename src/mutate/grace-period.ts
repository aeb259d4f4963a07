import { DEFAULT_GRACE_SECONDS } from '../datastore/conventions.js';
import type { PodSpec } from '../k8s/types.js';
import type { Profile } from '../profiles/types.js';
import { warning, type MutationReport } from './report.js';

export { DEFAULT_GRACE_SECONDS };

/** Raises terminationGracePeriodSeconds to the profile's minimum when it is lower. */
export function ensureGracePeriod(spec: PodSpec, profile: Profile, report: MutationReport): void {
  const current = spec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
  if (current >= profile.minGraceSeconds) return;
  spec.terminationGracePeriodSeconds = profile.minGraceSeconds;
  report.injected.push('terminationGracePeriodSeconds');
  report.warnings.push(
    warning(`terminationGracePeriodSeconds raised from ${current} to ${profile.minGraceSeconds} (${profile.name} minimum)`),
  );
}
