import { ANNOTATION_MIGRATE_FROM, PREMIGRATE_CONTAINER } from '../../contract.js';
import { premigrationPlan } from '../../datastore/premigration.js';
import { defineRule } from '../rule.js';
import { enableInjection } from '../subject.js';

/**
 * A pod at CREATE that declares `migrate-from-image` but would start without the pre-migration
 * init container (injection off): the new version would meet gossip on a new IP unprepared.
 * Validating webhooks run after mutating ones, so an injected pod passes.
 */
export const migrateFromWithoutInitContainer = defineRule({
  id: 'migrate-from-without-init-container',
  severity: 'deny',
  summary:
    'A pod at CREATE carries `gossip-safe.io/migrate-from-image` (naming an older version than it runs) but has no `gossip-premigrate` init container, e.g. because injection is off. Not where the webhook itself would not add one (`premigration-skipped`).',
  fix: 'Label the namespace `gossip-safe.io/inject=enabled`.',
  kinds: ['Pod'],
  operations: ['CREATE'],
  profiles: 'premigration-required',
  check({ subject, template, selection, profiles, persistentVolumeNames }) {
    const from = template.metadata?.annotations?.[ANNOTATION_MIGRATE_FROM]?.trim();
    if (from === undefined || selection === undefined) return undefined;
    if ((template.spec?.initContainers ?? []).some((c) => c.name === PREMIGRATE_CONTAINER)) return undefined;
    // Denied only where the mutating webhook would have added it (the same plan decides).
    const plan = premigrationPlan({ template, container: selection.container, profile: selection.profile, profiles, persistentVolumeNames, from });
    if (!plan.inject) return undefined;
    return {
      message:
        `${subject.ref}: ${ANNOTATION_MIGRATE_FROM}=${JSON.stringify(from)} but no "${PREMIGRATE_CONTAINER}" init container, ` +
        `so container "${selection.container.name}" (${selection.profile.name}) would skip the IP-migration step; ${enableInjection(subject)}`,
      container: selection.container.name,
    };
  },
});
