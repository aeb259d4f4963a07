import { premigrationPlan, declaredSource, CANNOT_PREMIGRATE } from '../../datastore/premigration.js';
import { isDowngrade, needsPremigration } from '../../datastore/version-change.js';
import { PREMIGRATE_CONTAINER } from '../../contract.js';
import { defineRule } from '../rule.js';

/**
 * The pod or template asks for pre-migration (its `migrate-from-image`, or a workload upgrade
 * that needs it) where the webhook will not add `gossip-premigrate`: the same plan the mutating
 * step follows says why, so `check`, the validating and the mutating webhook tell one story.
 */
export const premigrationSkipped = defineRule({
  id: 'premigration-skipped',
  severity: 'warn',
  summary:
    'Pre-migration is asked for (`migrate-from-image`, or an upgrade that needs it) but will not run: the old image cannot be pre-migrated (k8ssandra management API), the broadcast address is a stable Service IP, no persistent volume holds the data, a classic-mode mesh redirects init traffic, or `migrate-from-image` is malformed or newer than the image.',
  fix: 'As the message says: nothing, when the IP is stable or the data is not persistent; native sidecars or the mesh port-exclusion annotations; an image gossip-safe can start; or a valid, older `migrate-from-image`.',
  kinds: ['Pod', 'StatefulSet', 'Deployment', 'DaemonSet'],
  operations: ['CREATE', 'UPDATE'],
  profiles: 'premigration-required',
  onUpdate: 'introduced',
  suppressedBy: ['migrate-from-on-downgrade', 'premigration-data-location-unknown'],
  check({ subject, template, selection, profiles, persistentVolumeNames, change }) {
    if (selection === undefined) return undefined;
    const declared = declaredSource(template);
    const asked = change !== undefined && !isDowngrade(change) && needsPremigration(change) ? change.oldImage : undefined;
    const from = declared ?? asked;
    if (from === undefined) return undefined;
    const plan = premigrationPlan({ template, container: selection.container, profile: selection.profile, profiles, persistentVolumeNames, from });
    if (plan.inject || plan.code === 'same-version') return undefined;
    // Without the annotation, only the reasons that make the step impossible or pointless.
    if (declared === undefined && !CANNOT_PREMIGRATE.has(plan.code)) return undefined;
    return {
      message: `${subject.ref}: container "${selection.container.name}" (${selection.profile.name}): ${plan.reason}; no ${PREMIGRATE_CONTAINER} init container will run`,
      container: selection.container.name,
    };
  },
});
