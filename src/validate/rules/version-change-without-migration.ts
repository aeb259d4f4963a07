import { ANNOTATION_MIGRATE_FROM } from '../../contract.js';
import { CANNOT_PREMIGRATE, premigrationPlan } from '../../datastore/premigration.js';
import { isDowngrade, needsPremigration } from '../../datastore/version-change.js';
import { hasMigrationStep, SET_MIGRATE_FROM, versionPair } from '../messages.js';
import { defineRule, WORKLOADS } from '../rule.js';
import { enableInjection } from '../subject.js';

export const versionChangeWithoutMigration = defineRule({
  id: 'version-change-without-migration',
  severity: 'deny',
  summary:
    'A workload UPDATE upgrades the datastore version by at least `migrateOn` and the new template has no migration step: neither `migrate-from-image` naming the old version nor a `gossip-premigrate` init container with the old image. Also when `migrate-from-image` names another image than the old one on any upgrade. Downgrades are judged by `major-downgrade` and `migrate-from-on-downgrade`; templates where pre-migration cannot or need not run by `premigration-skipped`.',
  fix: 'Label the namespace `gossip-safe.io/inject=enabled`, or set the annotation to the old image, as the message says.',
  kinds: WORKLOADS,
  operations: ['UPDATE'],
  profiles: 'premigration-required',
  suppressedBy: ['premigration-data-location-unknown'],
  check({ subject, template, change, selection, profiles, persistentVolumeNames }) {
    if (change === undefined || change.difference === 'none' || isDowngrade(change) || hasMigrationStep(template, change)) return undefined;
    if (selection !== undefined) {
      // Never demand a step that would not come: premigration-skipped says why instead.
      const plan = premigrationPlan({ template, container: selection.container, profile: selection.profile, profiles, persistentVolumeNames, from: change.oldImage });
      if (!plan.inject && CANNOT_PREMIGRATE.has(plan.code)) return undefined;
    }
    const container = change.container;
    const declared = template.metadata?.annotations?.[ANNOTATION_MIGRATE_FROM];
    const setIt = `set ${SET_MIGRATE_FROM}=${JSON.stringify(change.oldImage)}`;
    if (declared !== undefined) {
      // A stale annotation from an earlier upgrade would run an even older version on the data.
      return {
        message: `${subject.ref}: container "${container}" changes ${versionPair(change)} but ${ANNOTATION_MIGRATE_FROM} is ${JSON.stringify(declared)}, not the old image; ${setIt}`,
        container,
      };
    }
    if (!needsPremigration(change) || change.difference === 'unknown') return undefined;
    return {
      message: `${subject.ref}: container "${container}" changes ${versionPair(change)} without an IP-migration step; ${enableInjection(subject)}, or ${setIt}`,
      container,
    };
  },
});
