import { ANNOTATION_MIGRATE_FROM } from '../../contract.js';
import { isDowngrade, isRollback } from '../../datastore/version-change.js';
import { SET_MIGRATE_FROM, versionPair } from '../messages.js';
import { defineRule, WORKLOADS } from '../rule.js';

/**
 * Pre-migration only ever runs an older version before a newer one. A downgrade that keeps a
 * `migrate-from-image` (carried over from the upgrade) would run that image on data the newer
 * version wrote. A rollback is exempt: its annotation either names the version it goes back to
 * (a no-op, which the mutating webhook removes) or is the pre-upgrade revision's own.
 */
export const migrateFromOnDowngrade = defineRule({
  id: 'migrate-from-on-downgrade',
  severity: 'deny',
  summary:
    'A workload UPDATE lowers the datastore version (other than a rollback to the version its rollout came from) and the new template still carries `gossip-safe.io/migrate-from-image`: pre-migration only runs an older version before a newer one.',
  fix: 'Remove the annotation from the template (the mutating webhook does it where injection is enabled).',
  kinds: WORKLOADS,
  operations: ['UPDATE'],
  profiles: 'premigration-required',
  check({ subject, template, change, old }) {
    if (change === undefined || old === undefined || !isDowngrade(change) || isRollback(change, old.template)) return undefined;
    const declared = template.metadata?.annotations?.[ANNOTATION_MIGRATE_FROM];
    if (declared === undefined) return undefined;
    return {
      message:
        `${subject.ref}: container "${change.container}" downgrades ${versionPair(change)} but ${ANNOTATION_MIGRATE_FROM} is ${JSON.stringify(declared)}; ` +
        `pre-migration only runs an older version before a newer one; remove ${SET_MIGRATE_FROM}`,
      container: change.container,
    };
  },
});
