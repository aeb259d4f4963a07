import { ANNOTATION_MIGRATE_FROM } from '../contract.js';
import { claimTemplateNames } from '../datastore/persistence.js';
import { checkTemplate, checkWorkload } from '../datastore/shape.js';
import { warning } from '../datastore/warning.js';
import { isWorkloadKind, type PodTemplateSpec } from '../k8s/types.js';
import type { Mutation } from '../mutate/result.js';
import type { MutationContext } from '../mutate/step.js';
import { mutatePodTemplate } from '../mutate/template.js';
import { mutateWorkloadUpdate } from '../mutate/workload.js';
import { profileForImage } from '../profiles/profile-set.js';
import type { ProfileSet } from '../profiles/types.js';
import type { K8sObject } from './manifests.js';
import { podTemplateOf, setPath, templatePath } from './objects.js';

export interface InjectionRequest {
  readonly object: K8sObject;
  /** The object as it is in the cluster (the base): a version change then adds pre-migration. */
  readonly oldObject?: K8sObject;
  /**
   * Sets `gossip-safe.io/migrate-from-image` on templates whose datastore is this image's:
   * their pods first run this (old) image on their new IP.
   */
  readonly migrateFrom?: string;
}

/**
 * What the webhooks would do to an object, computed offline with the very functions they call:
 * for a workload update, the workload UPDATE mutation (pre-migration annotation); then the pod
 * mutation on the pod template, exactly as the pod webhook applies it to the pods created from
 * it (which leaves a template labelled `gossip-safe.io/inject=disabled` alone, as the webhook's
 * objectSelector leaves its pods).
 */
export function injectObject(request: InjectionRequest, profiles: ProfileSet): Mutation<K8sObject> {
  const object = request.object;
  const injected: string[] = [];
  const warnings: string[] = [];
  let profile: string | undefined;
  const path = templatePath(object.kind);
  if (path === undefined) return { object, injected, warnings };
  // The boundary check: a manifest gossip-safe cannot read is left as it is, with a warning.
  const shape = checkTemplate(podTemplateOf(object) ?? null, path.length === 0 ? 'pod' : path.join('.'));
  if (!shape.ok) return { object, injected, warnings: [warning(`${shape.problem}; nothing injected`)] };
  const workload = isWorkloadKind(object.kind) ? checkWorkload(object) : undefined;
  const ctx: MutationContext = { profiles, persistentVolumeNames: claimTemplateNames(object.kind, workload?.ok === true ? workload.value : undefined) };

  // Both webhooks change only the pod template (the workload UPDATE mutation records the
  // migration on it), so the work is done on the template, put back into the object once.
  let original = shape.value;
  const old = request.oldObject;
  if (old !== undefined && workload?.ok === true && old.kind === object.kind) {
    const stored = checkWorkload(old, 'base');
    if (stored.ok) {
      const update = mutateWorkloadUpdate(stored.value, workload.value, ctx);
      original = update.object.spec?.template ?? original;
      injected.push(...update.injected);
      warnings.push(...update.warnings);
      profile = update.profile;
    } else {
      warnings.push(warning(`${stored.problem}; the version change from the base is not checked`));
    }
  }

  let pod = mutatePodTemplate(original, ctx);
  if (request.migrateFrom !== undefined && pod.profile !== undefined && pod.profile === profileForImage(profiles, request.migrateFrom)?.name) {
    // Only where the old image is the same datastore: `--migrate-from cassandra:3.11` means
    // nothing to a Serf template in the same file.
    const template: PodTemplateSpec = structuredClone(original);
    template.metadata ??= {};
    template.metadata.annotations = { ...template.metadata.annotations, [ANNOTATION_MIGRATE_FROM]: request.migrateFrom };
    pod = mutatePodTemplate(template, ctx);
  }
  warnings.push(...pod.warnings);
  injected.push(...pod.injected);
  profile = pod.profile ?? profile;
  return {
    // pod.object is the input template itself when neither mutation changed anything.
    object: pod.object === shape.value ? object : setPath(object, path, pod.object),
    injected,
    warnings,
    ...(profile === undefined ? {} : { profile }),
  };
}
