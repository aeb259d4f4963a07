import type { Workload } from '../k8s/types.js';

/**
 * A StatefulSet's rollout shape, read defensively (the boundary check does not cover these
 * fields): how many pods its rolling update takes down at once, its pod management policy and
 * its update strategy type.
 */
export interface RolloutShape {
  /** Pods down at once in a rolling update: the controller rounds a percentage up, and never below 1. */
  readonly maxUnavailable: number;
  /** As written (`2`, `"50%"`), for messages. */
  readonly maxUnavailableText: string;
  readonly parallel: boolean;
  readonly onDelete: boolean;
}

export function rolloutShape(workload: Workload): RolloutShape {
  const spec = (workload.spec ?? {}) as Record<string, unknown>;
  const strategy = (typeof spec['updateStrategy'] === 'object' && spec['updateStrategy'] !== null ? spec['updateStrategy'] : {}) as Record<string, unknown>;
  const rolling = (typeof strategy['rollingUpdate'] === 'object' && strategy['rollingUpdate'] !== null ? strategy['rollingUpdate'] : {}) as Record<string, unknown>;
  const replicas = typeof spec['replicas'] === 'number' ? spec['replicas'] : 1;
  const raw = rolling['maxUnavailable'];
  let maxUnavailable = 1;
  if (typeof raw === 'number' && Number.isFinite(raw)) maxUnavailable = Math.max(1, Math.floor(raw));
  else if (typeof raw === 'string' && /^\d{1,3}%$/.test(raw)) maxUnavailable = Math.max(1, Math.ceil((Number(raw.slice(0, -1)) * replicas) / 100));
  return {
    maxUnavailable,
    maxUnavailableText: raw === undefined ? '1' : JSON.stringify(raw),
    parallel: spec['podManagementPolicy'] === 'Parallel',
    onDelete: strategy['type'] === 'OnDelete',
  };
}
