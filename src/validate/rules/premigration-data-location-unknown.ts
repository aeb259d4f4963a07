import { declaredSource, premigrationPlan } from '../../datastore/premigration.js';
import { isDowngrade, needsPremigration } from '../../datastore/version-change.js';
import { PREMIGRATE_CONTAINER } from '../../contract.js';
import { defineRule } from '../rule.js';

/**
 * Pre-migration is needed but gossip-safe cannot tell where the data lives (a persistent volume
 * mounted with `subPath` over the data directory): refuse rather than skip, since skipping would
 * start the new version at a new address on data no older version ran there first.
 */
export const premigrationDataLocationUnknown = defineRule({
  id: 'premigration-data-location-unknown',
  severity: 'deny',
  summary:
    'Pre-migration is asked for (`migrate-from-image`, or an upgrade that needs it) but the data is on a persistent volume mounted with `subPath` over the data directory, a location gossip-safe does not pre-migrate: the new version would start at a new address with no pre-migration.',
  fix: 'Mount the data volume without `subPath` at the data directory, or run a manual pre-migration step (docs/premigration.md "Data location").',
  kinds: ['Pod', 'StatefulSet', 'Deployment', 'DaemonSet'],
  operations: ['CREATE', 'UPDATE'],
  profiles: 'premigration-required',
  onUpdate: 'introduced',
  check({ subject, template, selection, profiles, persistentVolumeNames, change }) {
    if (selection === undefined) return undefined;
    const declared = declaredSource(template);
    const asked = change !== undefined && !isDowngrade(change) && needsPremigration(change) ? change.oldImage : undefined;
    const from = declared ?? asked;
    if (from === undefined) return undefined;
    const plan = premigrationPlan({ template, container: selection.container, profile: selection.profile, profiles, persistentVolumeNames, from });
    if (plan.inject || plan.code !== 'data-location-unknown') return undefined;
    return {
      message: `${subject.ref}: container "${selection.container.name}" (${selection.profile.name}): ${plan.reason}; no ${PREMIGRATE_CONTAINER} init container can run`,
      container: selection.container.name,
    };
  },
});
