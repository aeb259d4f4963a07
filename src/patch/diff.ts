import fastJsonPatch, { type Operation } from 'fast-json-patch';

export type { Operation as PatchOperation };

function withoutManagedFields<T>(obj: T): T {
  if (typeof obj !== 'object' || obj === null) return obj;
  const meta = (obj as { metadata?: Record<string, unknown> }).metadata;
  if (typeof meta !== 'object' || meta === null || !('managedFields' in meta)) return obj;
  const { managedFields: _ignored, ...rest } = meta;
  return { ...obj, metadata: rest };
}

const hasOwn = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** RFC 6901: `~` and `/` in a key are escaped in a JSON pointer. */
function pointer(segments: readonly string[], key?: string): string {
  let out = '';
  for (const s of segments) out += `/${escapeKey(s)}`;
  return key === undefined ? out : `${out}/${escapeKey(key)}`;
}
function escapeKey(key: string): string {
  return key.includes('~') || key.includes('/') ? key.replace(/~/g, '~0').replace(/\//g, '~1') : key;
}

/**
 * The operations that turn `before` into `after`, appended to `out`. The same operations, in the
 * same order, as fast-json-patch's `compare` (test/patch-diff.test.ts checks that on generated
 * documents): removals walk the old keys from the last (so array removals go from the highest
 * index down), additions the new keys from the first, and a subtree that is the same object on
 * both sides is skipped at once. Two differences, both about cost: the path is built only for an
 * operation that is emitted, and values are not deep-copied (they are the `after` document's
 * own; see diffPatch).
 */
function diffInto(before: Record<string, unknown>, after: Record<string, unknown>, path: string[], out: Operation[]): void {
  if (before === after) return;
  const oldKeys = Object.keys(before);
  const newKeys = Object.keys(after);
  const afterIsArray = Array.isArray(after);
  let deleted = false;
  for (let i = oldKeys.length - 1; i >= 0; i--) {
    const key = oldKeys[i]!;
    const oldValue = before[key];
    // JSON has no undefined: a property set to undefined in an object is a property removed.
    if (hasOwn(after, key) && !(after[key] === undefined && oldValue !== undefined && !afterIsArray)) {
      const newValue = after[key];
      if (isObject(oldValue) && isObject(newValue) && Array.isArray(oldValue) === Array.isArray(newValue)) {
        path.push(key);
        diffInto(oldValue, newValue, path, out);
        path.pop();
      } else if (oldValue !== newValue) {
        out.push({ op: 'replace', path: pointer(path, key), value: newValue });
      }
    } else {
      // (Both sides are arrays or both mappings: diffInto only recurses into such pairs.)
      out.push({ op: 'remove', path: pointer(path, key) });
      deleted = true;
    }
  }
  if (!deleted && newKeys.length === oldKeys.length) return;
  for (const key of newKeys) {
    if (!hasOwn(before, key) && after[key] !== undefined) out.push({ op: 'add', path: pointer(path, key), value: after[key] });
  }
}

/**
 * The JSON patch from `original` to `mutated`, derived by comparing the two documents (never
 * hand-built): the operations fast-json-patch's `compare` gives, computed without its deep copy
 * of every added value and without building a path for every node it visits, which were most of
 * the cost of a pod's admission (README, Performance). The operations' values are `mutated`'s own
 * objects: encode or apply the patch, but modify neither afterwards. `managedFields` is left out
 * of both sides: it is large, never ours to touch.
 */
export function diffPatch(original: unknown, mutated: unknown): Operation[] {
  if (original === mutated) return [];
  const before = withoutManagedFields(original);
  const after = withoutManagedFields(mutated);
  if (!isObject(before) || !isObject(after) || Array.isArray(before) !== Array.isArray(after)) return [{ op: 'replace', path: '', value: mutated }];
  const out: Operation[] = [];
  diffInto(before, after, [], out);
  return out;
}

/**
 * Applies a patch to a deep copy of `doc`; neither input is modified.
 * @internal Test seam: exported for the tests only (knip --production skips @internal).
 */
export function applyPatch<T>(doc: T, patch: readonly Operation[]): T {
  return fastJsonPatch.applyPatch(structuredClone(doc), structuredClone([...patch]), true, true).newDocument;
}
