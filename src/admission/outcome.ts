import type { PatchOperation } from '../patch/diff.js';
import type { Violation } from '../validate/types.js';

/**
 * What a webhook decided, before it is put in an AdmissionReview. Handlers return these;
 * the envelope code encodes them. Named constructors keep handlers short and uniform.
 */
export interface AdmissionOutcome {
  readonly allowed: boolean;
  readonly patch?: readonly PatchOperation[];
  readonly warnings?: readonly string[];
  readonly status?: { readonly code: number; readonly message: string; readonly reason?: string };
  /**
   * The validating webhook's findings, structured (rule id, severity, message): the CLI's
   * reports render these instead of evaluating the rules again.
   */
  readonly violations?: readonly Violation[];
  /** For logs and metrics: the rules that produced a denial or warning. */
  readonly rules?: readonly string[];
  /** For logs and metrics: what was injected, and by which profile. */
  readonly injected?: readonly string[];
  readonly profile?: string;
}

export function allow(extra: Omit<AdmissionOutcome, 'allowed'> = {}): AdmissionOutcome {
  return { ...extra, allowed: true };
}

export function patched(patch: readonly PatchOperation[], extra: Omit<AdmissionOutcome, 'allowed' | 'patch'> = {}): AdmissionOutcome {
  return { ...extra, allowed: true, patch };
}

/** A denial with an HTTP-style 403, as kubectl shows it: `denied the request: <message>`. */
export function deny(message: string, extra: Omit<AdmissionOutcome, 'allowed' | 'status'> = {}): AdmissionOutcome {
  return { ...extra, allowed: false, status: { code: 403, message, reason: 'Forbidden' } };
}

/** The decision name used in logs and metrics. */
export function decisionOf(o: AdmissionOutcome): 'denied' | 'patched' | 'warned' | 'allowed' {
  if (!o.allowed) return 'denied';
  if (o.patch !== undefined && o.patch.length > 0) return 'patched';
  if (o.warnings !== undefined && o.warnings.length > 0) return 'warned';
  return 'allowed';
}
