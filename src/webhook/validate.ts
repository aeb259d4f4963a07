import { allow, deny, type AdmissionOutcome } from '../admission/outcome.js';
import type { AdmissionRequest } from '../admission/types.js';
import { isWorkloadKind } from '../k8s/types.js';
import { evaluate } from '../validate/index.js';
import type { ValidationContext, ValidationMode, Violation } from '../validate/types.js';

/** The kind to validate, only for the API groups gossip-safe knows (core Pods, apps workloads). */
function kindOf(request: AdmissionRequest): string | undefined {
  const { group, kind } = request.kind;
  if (kind === 'Pod' && group === '') return kind;
  if (isWorkloadKind(kind) && group === 'apps') return kind;
  return undefined;
}

/** One denial message for several violations: each stays a readable, numbered sentence. */
export function joinMessages(messages: readonly string[]): string {
  if (messages.length === 1) return messages[0] ?? '';
  return `${messages.length} problems: ${messages.map((m, i) => `(${i + 1}) ${m}`).join(' ')}`;
}

/**
 * Violations and mode to an admission outcome. Enforce: deny-severity violations deny with
 * 403, warn-severity ones become warnings. Warn: always allowed, every message a warning with
 * the very text enforce would deny with.
 */
export function validationOutcome(violations: readonly Violation[], mode: ValidationMode, extraWarnings: readonly string[] = []): AdmissionOutcome {
  const rules = [...new Set(violations.map((v) => v.rule))];
  const denials = violations.filter((v) => v.severity === 'deny').map((v) => v.message);
  const warnings = [...extraWarnings, ...violations.filter((v) => v.severity === 'warn').map((v) => v.message)];
  if (mode === 'warn') return allow({ warnings: [...denials, ...warnings], rules, violations });
  if (denials.length > 0) return deny(joinMessages(denials), { warnings, rules, violations });
  return allow({ warnings, rules, violations });
}

/**
 * The validating webhook: `Handle(request) -> outcome`, pure. dryRun requests get the same
 * verdict (nothing is written either way); subresource updates (status, scale) and DELETE are
 * never denied.
 */
export function handleValidation(request: AdmissionRequest, ctx: ValidationContext, mode: ValidationMode): AdmissionOutcome {
  const kind = kindOf(request);
  if (kind === undefined || (request.subResource !== undefined && request.subResource !== '')) return allow();
  const { violations, malformed } = evaluate(
    {
      operation: request.operation,
      kind,
      ...(request.namespace ? { namespace: request.namespace } : {}),
      ...(request.name ? { name: request.name } : {}),
      object: request.object,
      oldObject: request.oldObject,
    },
    ctx,
  );
  return validationOutcome(violations, mode, malformed === undefined ? [] : [malformed]);
}
