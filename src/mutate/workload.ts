import { ANNOTATION_MIGRATE_FROM, LABEL_INJECT } from '../contract.js';
import type { PodTemplateSpec, Workload } from '../k8s/types.js';
import { cloneJson } from './clone.js';
import { diffPatch } from './patch.js';
import type { PodMutation } from './pod.js';
import { warning } from './report.js';
import type { MutationContext } from './template.js';
import { detectVersionChange, isVersionChange, needsPremigration } from '../datastore/version-change.js';

/** Same shape as a pod mutation: the result, its patch, and what was done. */
export interface WorkloadMutation extends Omit<PodMutation, 'pod'> {
  /** The mutated copy (the input itself when nothing changed); the input is never modified. */
  readonly workload: Workload;
}

/** Recorded in `injected` (logs, metrics) when the template annotation is set or restored. */
export const INJECTED_MIGRATE_FROM = 'annotation:migrate-from-image';

function templateAnnotation(t: PodTemplateSpec | undefined): string | undefined {
  return t?.metadata?.annotations?.[ANNOTATION_MIGRATE_FROM];
}

/**
 * Mutates a StatefulSet, Deployment or DaemonSet at UPDATE: pure, on a deep copy.
 *
 * - The datastore's version changes and its profile requires pre-migration: the new template
 *   gets `gossip-safe.io/migrate-from-image` = the old image, so the new revision's pods
 *   first run the old version on their new IP. An annotation already present is also brought
 *   up to date on any version change, so it never names a stale (older) image.
 * - The version does not change but the update dropped that annotation (a GitOps re-apply of
 *   manifests that never had it): it is put back from the old object, since removing it would
 *   change the template and restart every datastore pod for nothing.
 * Anything else (metadata, scale, status, other containers, templates labelled
 * `gossip-safe.io/inject=disabled`) gets no patch.
 */
export function mutateWorkloadUpdate(oldObject: Workload, object: Workload, ctx: MutationContext): WorkloadMutation {
  const unchanged: WorkloadMutation = { workload: object, patch: [], injected: [], warnings: [] };
  // Both objects have passed the boundary check (datastore/shape.ts checkWorkload).
  const oldTemplate = oldObject.spec?.template;
  const newTemplate = object.spec?.template;
  if (oldTemplate == null || newTemplate == null) return unchanged;
  // Its pods are excluded from injection, so nothing would act on the annotation.
  if (newTemplate.metadata?.labels?.[LABEL_INJECT] === 'disabled') return unchanged;
  const change = detectVersionChange(oldTemplate, newTemplate, ctx.profiles);
  if (change === undefined || change.profile.premigration !== 'required') return unchanged;
  const about = { profile: change.profile.name, container: change.container };

  const current = templateAnnotation(newTemplate);
  const previous = templateAnnotation(oldTemplate);
  let value: string | undefined;
  const warnings: string[] = [];
  if (isVersionChange(change)) {
    const wanted = needsPremigration(change) || current !== undefined;
    // An unpinned old image (`latest`) may now resolve to another version: never run it on the data.
    if (wanted && change.oldImagePinned && current !== change.oldImage) value = change.oldImage;
  } else if (current === undefined && previous !== undefined) {
    value = previous;
    warnings.push(
      warning(`kept ${ANNOTATION_MIGRATE_FROM}=${JSON.stringify(previous)}; dropping it would restart every ${change.profile.name} pod`),
    );
  }
  if (value === undefined) return { ...unchanged, ...about };

  const workload = cloneJson(object, object.metadata?.managedFields ?? undefined);
  const template = workload.spec!.template!;
  template.metadata ??= {};
  template.metadata.annotations = { ...template.metadata.annotations, [ANNOTATION_MIGRATE_FROM]: value };
  return { workload, patch: diffPatch(object, workload), injected: [INJECTED_MIGRATE_FROM], warnings, ...about };
}
