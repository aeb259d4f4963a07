import fastJsonPatch, { type Operation } from 'fast-json-patch';

export type { Operation as PatchOperation };

function withoutManagedFields<T>(obj: T): T {
  if (typeof obj !== 'object' || obj === null) return obj;
  const meta = (obj as { metadata?: Record<string, unknown> }).metadata;
  if (typeof meta !== 'object' || meta === null || !('managedFields' in meta)) return obj;
  const { managedFields: _ignored, ...rest } = meta;
  return { ...obj, metadata: rest };
}

/**
 * The JSON patch from `original` to `mutated`, computed by fast-json-patch's `compare` (never
 * hand-built, never a diff of our own). `managedFields` is left out of both sides: it is large,
 * never ours to touch, and diffing it is most of the cost on big objects.
 */
export function diffPatch(original: unknown, mutated: unknown): Operation[] {
  if (original === mutated) return [];
  return fastJsonPatch.compare(withoutManagedFields(original) as object, withoutManagedFields(mutated) as object);
}

/** Applies a patch to a deep copy of `doc` (for tests and the CLI). */
export function applyPatch<T>(doc: T, patch: readonly Operation[]): T {
  return fastJsonPatch.applyPatch(structuredClone(doc), [...patch], true, true).newDocument;
}
