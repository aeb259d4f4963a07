import { ANNOTATION_MIGRATE_FROM } from '../contract.js';
import { isWorkloadKind, type PodTemplateSpec, type Workload } from '../k8s/types.js';
import { mutatePodTemplate, type MutationContext } from '../mutate/template.js';
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

export interface InjectionResult {
  /** The injected copy, or the input itself when nothing changed. */
  readonly object: K8sObject;
  readonly injected: readonly string[];
  readonly warnings: readonly string[];
  readonly profile?: string;
}

/** A StatefulSet's claim templates outlive its pods, as PVC volumes do in the pods it creates. */
function claimTemplateNames(object: K8sObject): Set<string> {
  if (object.kind !== 'StatefulSet') return new Set();
  const claims = (object as Workload).spec?.volumeClaimTemplates ?? [];
  return new Set(claims.map((c) => c.metadata?.name).filter((n): n is string => typeof n === 'string'));
}

/**
 * What the webhooks would do to an object, computed offline with the very functions they call:
 * for a workload update, the workload UPDATE mutation (pre-migration annotation); then the pod
 * mutation on the pod template, exactly as the pod webhook applies it to the pods created from
 * it (which leaves a template labelled `gossip-safe.io/inject=disabled` alone, as the webhook's
 * objectSelector leaves its pods).
 */
export function injectObject(request: InjectionRequest, profiles: ProfileSet): InjectionResult {
  let object = request.object;
  const injected: string[] = [];
  const warnings: string[] = [];
  let profile: string | undefined;
  const ctx: MutationContext = { profiles, persistentVolumeNames: claimTemplateNames(object) };

  const old = request.oldObject;
  if (old !== undefined && isWorkloadKind(object.kind) && old.kind === object.kind) {
    const update = mutateWorkloadUpdate(old as Workload, object as Workload, ctx);
    object = update.workload as K8sObject;
    injected.push(...update.injected);
    warnings.push(...update.warnings);
    profile = update.profile;
  }

  const original = podTemplateOf(object);
  const path = templatePath(object.kind);
  if (original === undefined || path === undefined) {
    return { object, injected, warnings, ...(profile === undefined ? {} : { profile }) };
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
  if (pod.profile === undefined) return { object, injected, warnings, ...(profile === undefined ? {} : { profile }) };
  injected.push(...pod.injected);
  return {
    object: pod.template === original ? object : setPath(object, path, pod.template),
    injected,
    warnings,
    profile: pod.profile,
  };
}
