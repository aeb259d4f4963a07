/**
 * Remembers the results of a pure function of a string, for the strings a webhook sees over and
 * over (image references, tags): parsing them once per distinct value instead of several times
 * per review. Image references come from users' objects and the apiserver puts no length limit on
 * them, so the memory is bounded by bytes as well as entries: an input longer than
 * MEMO_MAX_KEY_LENGTH is computed and never stored (no valid image reference is that long), and
 * past `limit` entries or MEMO_MAX_BYTES of keys the memory starts over. Results are frozen,
 * since every caller shares them. The bound is documented in docs/operations.md.
 */

/** Longest input that is remembered; an image reference is at most 512 characters here. */
export const MEMO_MAX_KEY_LENGTH = 512;
/** Most key characters (times two: UTF-16) one memo keeps before it starts over. */
export const MEMO_MAX_BYTES = 1024 * 1024;

const retainedOf = new WeakMap<object, () => number>();

/**
 * Bytes of keys a memoized function currently holds (0 for one not made by memoizeString).
 * @internal Test seam: exported for the tests only (knip --production skips @internal).
 */
export function memoRetainedBytes(memoized: object): number {
  return retainedOf.get(memoized)?.() ?? 0;
}

export function memoizeString<T>(fn: (input: string) => T, limit = 1024): (input: string) => T {
  let cache = new Map<string, T>();
  let bytes = 0;
  const memoized = (input: string): T => {
    if (input.length > MEMO_MAX_KEY_LENGTH) return fn(input);
    const hit = cache.get(input);
    if (hit !== undefined || cache.has(input)) return hit as T;
    const value = fn(input);
    if (typeof value === 'object' && value !== null) Object.freeze(value);
    const cost = 2 * input.length;
    if (cache.size >= limit || bytes + cost > MEMO_MAX_BYTES) {
      cache = new Map();
      bytes = 0;
    }
    cache.set(input, value);
    bytes += cost;
    return value;
  };
  retainedOf.set(memoized, () => bytes);
  return memoized;
}
