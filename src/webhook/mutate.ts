import { allow, patched, type AdmissionOutcome } from '../admission/outcome.js';
import type { AdmissionRequest } from '../admission/types.js';
import { isWorkloadKind, type Pod, type Workload } from '../k8s/types.js';
import { mutatePod } from '../mutate/pod.js';
import type { PatchOperation } from '../mutate/patch.js';
import type { MutationContext } from '../mutate/template.js';
import { mutateWorkloadUpdate } from '../mutate/workload.js';

function isMainResource(request: AdmissionRequest): boolean {
  return request.subResource === undefined || request.subResource === '';
}

function isPodCreate(request: AdmissionRequest): boolean {
  return request.operation === 'CREATE' && request.kind.kind === 'Pod' && request.kind.group === '' && isMainResource(request);
}

/** StatefulSet, Deployment or DaemonSet UPDATE; `status` and `scale` subresource updates are not. */
function isWorkloadUpdate(request: AdmissionRequest): boolean {
  return request.operation === 'UPDATE' && request.kind.group === 'apps' && isWorkloadKind(request.kind.kind) && isMainResource(request);
}

interface MutationResult {
  readonly patch: readonly PatchOperation[];
  readonly warnings: readonly string[];
  readonly injected: readonly string[];
  readonly profile?: string;
}

function outcomeOf(result: MutationResult): AdmissionOutcome {
  const extra = {
    warnings: result.warnings,
    injected: result.injected,
    ...(result.profile === undefined ? {} : { profile: result.profile }),
  };
  return result.patch.length > 0 ? patched(result.patch, extra) : allow(extra);
}

/**
 * The mutating webhook: `Handle(request) -> outcome`. Pure: no I/O, no clock.
 * Anything it does not handle is allowed unchanged.
 */
export function handleMutation(request: AdmissionRequest, ctx: MutationContext): AdmissionOutcome {
  if (isPodCreate(request) && request.object != null) {
    return outcomeOf(mutatePod(request.object as Pod, ctx));
  }
  if (isWorkloadUpdate(request) && request.object != null && request.oldObject != null) {
    return outcomeOf(mutateWorkloadUpdate(request.oldObject as Workload, request.object as Workload, ctx));
  }
  return allow();
}
