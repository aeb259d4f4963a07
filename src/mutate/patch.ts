import fastJsonPatch, { type Operation } from 'fast-json-patch';
import { cloneJson } from './clone.js';

export type { Operation as PatchOperation };

function withoutManagedFields<T>(obj: T): T {
  if (typeof obj !== 'object' || obj === null) return obj;
  const meta = (obj as { metadata?: Record<string, unknown> }).metadata;
  if (meta === undefined || !('managedFields' in meta)) return obj;
  const { managedFields: _ignored, ...rest } = meta;
  return { ...obj, metadata: rest };
}

/**
 * The JSON patch from `original` to `mutated`, computed by diffing (never hand-built).
 * `managedFields` is left out of both sides: it is large, never ours to touch, and diffing it
 * is most of the cost on big objects.
 */
export function diffPatch(original: unknown, mutated: unknown): Operation[] {
  if (original === mutated) return [];
  const patch: Operation[] = [];
  diffInto(withoutManagedFields(original) as object, withoutManagedFields(mutated) as object, '', patch);
  return patch;
}

function escapeKey(key: string): string {
  return key.includes('/') || key.includes('~') ? key.replace(/~/g, '~0').replace(/\//g, '~1') : key;
}

function isObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}

/**
 * fast-json-patch's `compare` (v3.1.1, `_generate` in duplex.js) for JSON values, operation for
 * operation: old keys last to first (replace, remove, or recurse), then new keys in order (add).
 * The only differences are speed: values in the patch are copied with cloneJson instead of a
 * JSON.stringify/JSON.parse round trip (the cost that dominated compare on a pod), arrays are
 * walked by index, and a path string is only built for a node that is visited. A test holds it
 * to compare's output on every recorded review and on random edits.
 */
function diffInto(before: object, after: object, path: string, patch: Operation[]): void {
  if (before === after) return;
  const beforeIsArray = Array.isArray(before);
  const afterIsArray = Array.isArray(after);
  if (beforeIsArray && afterIsArray) {
    diffArrays(before as unknown[], after as unknown[], path, patch);
    return;
  }
  const oldKeys = beforeIsArray ? (before as unknown[]).map((_, i) => String(i)) : Object.keys(before);
  const newKeys = afterIsArray ? (after as unknown[]).map((_, i) => String(i)) : Object.keys(after);
  const from = before as Record<string, unknown>;
  const to = after as Record<string, unknown>;
  let deleted = false;
  for (let t = oldKeys.length - 1; t >= 0; t--) {
    const key = oldKeys[t]!;
    const oldVal = from[key];
    if (Object.hasOwn(to, key) && !(to[key] === undefined && oldVal !== undefined && !afterIsArray)) {
      const newVal = to[key];
      if (isObject(oldVal) && isObject(newVal) && Array.isArray(oldVal) === Array.isArray(newVal)) {
        if (oldVal !== newVal) diffInto(oldVal, newVal, `${path}/${escapeKey(key)}`, patch);
      } else if (oldVal !== newVal) {
        patch.push({ op: 'replace', path: `${path}/${escapeKey(key)}`, value: copyValue(newVal) });
      }
    } else if (beforeIsArray === afterIsArray) {
      patch.push({ op: 'remove', path: `${path}/${escapeKey(key)}` });
      deleted = true;
    } else {
      patch.push({ op: 'replace', path, value: after });
    }
  }
  if (!deleted && newKeys.length === oldKeys.length) return;
  for (const key of newKeys) {
    if (!Object.hasOwn(from, key) && to[key] !== undefined) {
      patch.push({ op: 'add', path: `${path}/${escapeKey(key)}`, value: copyValue(to[key]) });
    }
  }
}

/** diffInto for two arrays (JSON arrays have no holes): the same operations, by index. */
function diffArrays(before: readonly unknown[], after: readonly unknown[], path: string, patch: Operation[]): void {
  for (let i = before.length - 1; i >= 0; i--) {
    const oldVal = before[i];
    if (i < after.length) {
      const newVal = after[i];
      if (isObject(oldVal) && isObject(newVal) && Array.isArray(oldVal) === Array.isArray(newVal)) {
        if (oldVal !== newVal) diffInto(oldVal, newVal, `${path}/${i}`, patch);
      } else if (oldVal !== newVal) {
        patch.push({ op: 'replace', path: `${path}/${i}`, value: copyValue(newVal) });
      }
    } else {
      patch.push({ op: 'remove', path: `${path}/${i}` });
    }
  }
  for (let i = before.length; i < after.length; i++) {
    if (after[i] !== undefined) patch.push({ op: 'add', path: `${path}/${i}`, value: copyValue(after[i]) });
  }
}

/** What compare's _deepClone does: objects copied, undefined becomes null, primitives as they are. */
function copyValue(v: unknown): unknown {
  if (v === undefined) return null;
  return isObject(v) ? cloneJson(v) : v;
}

/** Applies a patch to a deep copy of `doc` (for tests and the CLI). */
export function applyPatch<T>(doc: T, patch: readonly Operation[]): T {
  return fastJsonPatch.applyPatch(structuredClone(doc), [...patch], true, true).newDocument;
}
