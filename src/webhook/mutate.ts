import { allow, patched, type AdmissionOutcome } from '../admission/outcome.js';
import type { AdmissionRequest } from '../admission/types.js';
import type { Pod } from '../k8s/types.js';
import { mutatePod } from '../mutate/pod.js';
import type { MutationContext } from '../mutate/template.js';

function isPodCreate(request: AdmissionRequest): boolean {
  return (
    request.operation === 'CREATE' &&
    request.kind.kind === 'Pod' &&
    request.kind.group === '' &&
    (request.subResource === undefined || request.subResource === '')
  );
}

/**
 * The mutating webhook: `Handle(request) -> outcome`. Pure: no I/O, no clock.
 * Anything it does not handle is allowed unchanged.
 */
export function handleMutation(request: AdmissionRequest, ctx: MutationContext): AdmissionOutcome {
  if (isPodCreate(request) && request.object != null) {
    const result = mutatePod(request.object as Pod, ctx);
    const extra = {
      warnings: result.warnings,
      injected: result.injected,
      ...(result.profile === undefined ? {} : { profile: result.profile }),
    };
    return result.patch.length > 0 ? patched(result.patch, extra) : allow(extra);
  }
  return allow();
}
