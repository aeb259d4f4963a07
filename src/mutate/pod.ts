import type { Pod } from '../k8s/types.js';
import { diffPatch, type PatchOperation } from './patch.js';
import { mutatePodTemplate, type MutationContext } from './template.js';

export interface PodMutation {
  readonly pod: Pod;
  readonly patch: PatchOperation[];
  readonly injected: readonly string[];
  readonly warnings: readonly string[];
  readonly profile?: string;
  readonly container?: string;
}

/** Mutates a Pod at CREATE: clone, inject, diff. The input is never modified. */
export function mutatePod(pod: Pod, ctx: MutationContext): PodMutation {
  const result = mutatePodTemplate(pod, ctx);
  return { ...result, pod: result.template, patch: diffPatch(pod, result.template) };
}
