import { ANNOTATION_MIGRATE_FROM, LABEL_INJECT } from '../contract.js';
import type { ObjectMeta, PodTemplateSpec, Workload } from '../k8s/types.js';
import { warning } from './report.js';
import { withPatch, type PatchedMutation } from './result.js';
import type { MutationContext } from './step.js';
import { sameVersion } from '../datastore/identity.js';
import { leftAlone, leftAloneWarning } from '../datastore/ownership.js';
import { detectVersionChange, isDowngrade, isRollback, isVersionChange, needsPremigration } from '../datastore/version-change.js';
import { imageVersion } from '../profiles/version.js';

/** Recorded in `injected` (logs, metrics) when the template annotation is set or restored. */
export const INJECTED_MIGRATE_FROM = 'annotation:migrate-from-image';
/** Recorded when a rollback or a downgrade removes the template annotation. */
export const REMOVED_MIGRATE_FROM = 'annotation:migrate-from-image:removed';

function templateAnnotation(t: PodTemplateSpec | undefined): string | undefined {
  return t?.metadata?.annotations?.[ANNOTATION_MIGRATE_FROM];
}

/**
 * Mutates a StatefulSet, Deployment or DaemonSet at UPDATE: pure, on a deep copy.
 *
 * - The datastore's version changes and its profile requires pre-migration: the new template
 *   gets `gossip-safe.io/migrate-from-image` = the old image, so the new revision's pods
 *   first run the old version on their new IP. An annotation already present is also brought
 *   up to date on any upgrade, so it never names a stale (older) image.
 * - A rollback (back to the version the stored template's `migrate-from-image` names) removes
 *   the annotation when it names that version, so the template equals the pre-upgrade revision
 *   and pods still on it are not restarted. Any other downgrade removes it: pre-migration only
 *   ever runs an older version before a newer one.
 * - The version does not change but the update dropped that annotation (a GitOps re-apply of
 *   manifests that never had it): it is put back from the old object, since removing it would
 *   change the template and restart every datastore pod for nothing.
 * Anything else (metadata, scale, status, other containers, templates labelled
 * `gossip-safe.io/inject=disabled`) gets no patch.
 */
export function mutateWorkloadUpdate(oldObject: Workload, object: Workload, ctx: MutationContext): PatchedMutation<Workload> {
  const unchanged: PatchedMutation<Workload> = { object, patch: [], injected: [], warnings: [] };
  // Both objects have passed the boundary check (datastore/shape.ts checkWorkload).
  const oldTemplate = oldObject.spec?.template;
  const newTemplate = object.spec?.template;
  if (oldTemplate == null || newTemplate == null) return unchanged;
  // Its pods are excluded from injection, so nothing would act on the annotation.
  if (newTemplate.metadata?.labels?.[LABEL_INJECT] === 'disabled') return unchanged;
  const change = detectVersionChange(oldTemplate, newTemplate, ctx.profiles);
  if (change === undefined || change.profile.premigration !== 'required') return unchanged;
  // An operator that manages upgrades itself owns this workload: no template annotation.
  const alone = leftAlone(change.profile, object.metadata, newTemplate.metadata);
  if (alone !== undefined) {
    const why = leftAloneWarning(`container "${change.container}"`, change.profile, alone);
    return { ...unchanged, warnings: why === undefined ? [] : [why] };
  }
  const about = { profile: change.profile.name, container: change.container };

  const current = templateAnnotation(newTemplate);
  const previous = templateAnnotation(oldTemplate);
  let value: string | undefined;
  let remove = false;
  const warnings: string[] = [];
  if (isVersionChange(change) && isRollback(change, oldTemplate)) {
    // Back to the version the rollout came from: the template must equal the pre-upgrade
    // revision, so the pods that never left it are not restarted. Only an annotation naming
    // the version rolled back to goes; one the pre-upgrade revision had itself stays.
    if (current !== undefined && sameVersion(current, change.newImage)) {
      remove = true;
      warnings.push(
        warning(`rollback to ${versionText(change.newImage)}: removed ${ANNOTATION_MIGRATE_FROM}=${JSON.stringify(current)}, so the template equals the revision before the upgrade and pods still on it are not restarted`),
      );
    }
  } else if (isVersionChange(change) && isDowngrade(change)) {
    // Pre-migration only ever runs an older version before a newer one.
    if (current !== undefined) {
      remove = true;
      warnings.push(
        warning(`${change.profile.name} ${versionText(change.oldImage)} -> ${versionText(change.newImage)} is a downgrade: removed ${ANNOTATION_MIGRATE_FROM}=${JSON.stringify(current)}; pre-migration only runs an older version before a newer one`),
      );
    }
  } else if (isVersionChange(change)) {
    const wanted = needsPremigration(change) || current !== undefined;
    // An unpinned old image (`latest`) may now resolve to another version: never run it on the data.
    if (wanted && change.oldImagePinned && current !== change.oldImage) value = change.oldImage;
  } else if (current === undefined && previous !== undefined) {
    value = previous;
    warnings.push(
      warning(`kept ${ANNOTATION_MIGRATE_FROM}=${JSON.stringify(previous)}; dropping it would restart every ${change.profile.name} pod`),
    );
  }
  if (value === undefined && !remove) return { ...unchanged, ...about };

  // Copy-on-write: only the objects on the way to the template's annotations are new; the rest
  // (containers, volumes, managedFields) is the input's own, and diffPatch skips it at once.
  const metadata: ObjectMeta = { ...newTemplate.metadata };
  const template: PodTemplateSpec = { ...newTemplate, metadata };
  const workload: Workload = { ...object, spec: { ...object.spec, template } };
  if (remove) {
    const { [ANNOTATION_MIGRATE_FROM]: _removed, ...rest } = metadata.annotations ?? {};
    if (Object.keys(rest).length === 0) delete metadata.annotations;
    else metadata.annotations = rest;
  } else if (value !== undefined) {
    metadata.annotations = { ...metadata.annotations, [ANNOTATION_MIGRATE_FROM]: value };
  }
  return withPatch(object, { object: workload, injected: [remove ? REMOVED_MIGRATE_FROM : INJECTED_MIGRATE_FROM], warnings, ...about });
}

function versionText(image: string): string {
  return imageVersion(image)?.text ?? JSON.stringify(image);
}
