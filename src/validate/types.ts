import type { Operation } from '../k8s/types.js';
import type { ProfileSet } from '../profiles/types.js';

/**
 * The validation contract. The validating webhook's handler builds a ValidationInput and calls
 * `evaluate` (src/validate/index.ts); the offline CLI (`gossip-safe check`) calls that handler
 * and renders its structured violations, so the two can never disagree.
 */
export type ValidationMode = 'enforce' | 'warn';

/** `deny`: rejected in enforce mode (a warning in warn mode). `warn`: always only a warning. */
export type Severity = 'deny' | 'warn';

export interface Violation {
  /** Stable rule id, e.g. `version-change-without-migration`; used in logs, metrics, SARIF. */
  readonly rule: string;
  readonly severity: Severity;
  /** One line, naming the object, container, profile and versions, and the exact fix. */
  readonly message: string;
  readonly container?: string;
}

export interface ValidationInput {
  readonly operation: Operation;
  /** Object kind: Pod, StatefulSet, Deployment, DaemonSet (others are never denied). */
  readonly kind: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly object?: unknown;
  readonly oldObject?: unknown;
}

export interface ValidationContext {
  readonly profiles: ProfileSet;
}
