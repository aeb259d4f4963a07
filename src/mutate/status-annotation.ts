import { ANNOTATION_STATUS } from '../contract.js';
import type { ObjectMeta } from '../k8s/types.js';
import { GOSSIP_SAFE_VERSION } from '../version.js';

/** The JSON recorded in `gossip-safe.io/status`. */
export interface InjectionStatus {
  readonly version: string;
  readonly profile: string;
  readonly container: string;
  readonly injected: readonly string[];
}

export function readStatus(meta: ObjectMeta | undefined): InjectionStatus | undefined {
  const raw = meta?.annotations?.[ANNOTATION_STATUS];
  if (raw === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v === 'object' && v !== null && Array.isArray((v as { injected?: unknown }).injected)) {
      return v as InjectionStatus;
    }
  } catch {
    // A hand-edited or foreign value: treated as absent and rewritten on the next injection.
  }
  return undefined;
}

/**
 * Records what was injected, merged with what an earlier admission recorded, so a reinvocation
 * that adds something keeps the full history. Called only when something was injected.
 */
export function writeStatus(meta: ObjectMeta, profile: string, container: string, injected: readonly string[]): void {
  const previous = readStatus(meta);
  const merged = previous?.container === container ? [...new Set([...previous.injected, ...injected])] : [...injected];
  const status: InjectionStatus = { version: GOSSIP_SAFE_VERSION, profile, container, injected: merged };
  meta.annotations = { ...meta.annotations, [ANNOTATION_STATUS]: JSON.stringify(status) };
}
