import type { Pod, PodTemplateSpec } from '../k8s/types.js';
import { withPatch, type PatchedMutation } from './result.js';
import type { MutationContext } from './step.js';
import { mutatePodTemplate } from './template.js';

/**
 * Mutates a Pod at CREATE: clone, inject, diff. The input is never modified. Any checked pod
 * template will do (the webhook passes what `checkTemplate` returns); the result has its type.
 */
export function mutatePod<T extends PodTemplateSpec = Pod>(pod: T, ctx: MutationContext): PatchedMutation<T> {
  return withPatch(pod, mutatePodTemplate(pod, ctx));
}
