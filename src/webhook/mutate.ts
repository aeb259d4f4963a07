import { allow, patched, type AdmissionOutcome } from '../admission/outcome.js';
import type { AdmissionRequest } from '../admission/types.js';
import { checkTemplate, checkWorkload, safeMeta } from '../datastore/shape.js';
import { warning } from '../datastore/warning.js';
import { isWorkloadKind } from '../k8s/types.js';
import { mutatePod } from '../mutate/pod.js';
import type { PatchedMutation } from '../mutate/result.js';
import type { MutationContext } from '../mutate/step.js';
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

function outcomeOf(result: PatchedMutation<unknown>): AdmissionOutcome {
  const extra = {
    warnings: result.warnings,
    injected: result.injected,
    ...(result.profile === undefined ? {} : { profile: result.profile }),
  };
  return result.patch.length > 0 ? patched(result.patch, extra) : allow(extra);
}

/** An object that fails the boundary check is admitted unchanged, with a warning naming the field. */
function malformed(request: AdmissionRequest, problem: string): AdmissionOutcome {
  const meta = safeMeta(request.object);
  const name = request.name || meta.name || (meta.generateName === undefined ? '(unnamed)' : `${meta.generateName}*`);
  const namespace = request.namespace || meta.namespace;
  const ref = `${request.kind.kind.toLowerCase()} ${namespace ? `${namespace}/` : ''}${name}`;
  return allow({ warnings: [warning(`${ref}: ${problem}; nothing injected`)] });
}

/**
 * The mutating webhook: `Handle(request) -> outcome`. Pure: no I/O, no clock. The object is
 * checked at the boundary (datastore/shape.ts); past it, the mutation trusts its types.
 * Anything it does not handle is allowed unchanged.
 */
export function handleMutation(request: AdmissionRequest, ctx: MutationContext): AdmissionOutcome {
  if (isPodCreate(request) && request.object != null) {
    const pod = checkTemplate(request.object, 'pod');
    if (!pod.ok) return malformed(request, pod.problem);
    return outcomeOf(mutatePod(pod.value, ctx));
  }
  if (isWorkloadUpdate(request) && request.object != null && request.oldObject != null) {
    const object = checkWorkload(request.object, 'object');
    if (!object.ok) return malformed(request, object.problem);
    const old = checkWorkload(request.oldObject, 'oldObject');
    if (!old.ok) return malformed(request, old.problem);
    return outcomeOf(mutateWorkloadUpdate(old.value, object.value, ctx));
  }
  return allow();
}
