import { skippedSteps } from '../../profiles/version-policy.js';
import { versionPair } from '../messages.js';
import { defineRule, WORKLOADS } from '../rule.js';

export const skippedMajor = defineRule({
  id: 'skipped-major',
  severity: 'warn',
  summary:
    "An upgrade jumps over a step of the profile's `upgradePath` (a config's `upgradePath: [\"3\", \"4\", \"5\"]`: 3.11 -> 5.0 skips 4.x). Not reported when `unsupported-upgrade` denies the same jump.",
  fix: 'Upgrade through each step.',
  kinds: WORKLOADS,
  operations: ['UPDATE'],
  profiles: 'all',
  // The upgrade-path table's denial says the same, with the reason.
  suppressedBy: ['unsupported-upgrade'],
  check({ subject, change }) {
    if (change === undefined || change.difference === 'none') return undefined;
    const { oldVersion, newVersion, profile } = change;
    if (oldVersion === undefined || newVersion === undefined) return undefined;
    const skipped = skippedSteps(profile, oldVersion, newVersion);
    if (skipped.length === 0) return undefined;
    const steps = skipped.map((s) => `${s}.x`).join(', ');
    const path = (profile.upgradePath ?? []).join(' -> ');
    return { message: `${subject.ref}: ${versionPair(change)} skips ${steps} (path ${path}); upgrade to ${skipped[0]}.x first`, container: change.container };
  },
});
