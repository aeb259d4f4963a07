import { ANNOTATION_MIGRATE_FROM, ENV_TARGET_IMAGE, PREMIGRATE_CONTAINER } from '../../contract.js';
import { sameVersion } from '../../datastore/identity.js';
import { defineRule } from '../rule.js';

/**
 * A `gossip-premigrate` init container already in the template (written by `inject --base` or
 * by hand, and kept in Git) that belongs to an earlier change: its image is not the version that
 * `migrate-from-image` names, or the target it prepares for (GOSSIP_SAFE_TARGET_IMAGE) is not the
 * version the main container runs. Two upgrades in a row leave exactly this: the annotation
 * moves on, the init container stays, and the next version starts with no pre-migration.
 */
export const stalePremigrateInitContainer = defineRule({
  id: 'stale-premigrate-init-container',
  severity: 'deny',
  summary:
    'The template carries a `gossip-premigrate` init container from an earlier change: its image is not the version `gossip-safe.io/migrate-from-image` names, or its `GOSSIP_SAFE_TARGET_IMAGE` is not the version the datastore container runs.',
  fix: 'Regenerate it for this change (`gossip-safe inject --base ...`), or delete it and let the mutating webhook add a current one.',
  kinds: ['Pod', 'StatefulSet', 'Deployment', 'DaemonSet'],
  operations: ['CREATE', 'UPDATE'],
  profiles: 'premigration-required',
  check({ subject, template, selection }) {
    if (selection === undefined) return undefined;
    const init = (template.spec?.initContainers ?? []).find((c) => c.name === PREMIGRATE_CONTAINER);
    if (init === undefined) return undefined;
    const main = selection.container;
    const from = template.metadata?.annotations?.[ANNOTATION_MIGRATE_FROM]?.trim();
    const image = init.image ?? '';
    const problems: string[] = [];
    if (from !== undefined && from !== '' && !sameVersion(image, from)) problems.push(`its image is ${JSON.stringify(image)} but ${ANNOTATION_MIGRATE_FROM} is ${JSON.stringify(from)}`);
    const target = init.env?.find((e) => e.name === ENV_TARGET_IMAGE)?.value;
    if (target != null && main.image != null && !sameVersion(target, main.image)) {
      problems.push(`it prepares for ${JSON.stringify(target)} (${ENV_TARGET_IMAGE}) but container "${main.name}" runs ${JSON.stringify(main.image)}`);
    }
    if (problems.length === 0) return undefined;
    return {
      message: `${subject.ref}: the "${PREMIGRATE_CONTAINER}" init container is from an earlier change: ${problems.join('; ')}; regenerate it for this change (gossip-safe inject --base ...) or delete it so the webhook adds a current one`,
      container: main.name,
    };
  },
});
