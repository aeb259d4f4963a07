/**
 * Remembers the results of a pure function of a string, for the strings a webhook sees over and
 * over (image references, tags): parsing them once per distinct value instead of several times
 * per review. Bounded: image references come from users' objects, so past `limit` distinct
 * values the memory starts over. Results are frozen, since every caller shares them.
 */
export function memoizeString<T>(fn: (input: string) => T, limit = 1024): (input: string) => T {
  let cache = new Map<string, T>();
  return (input) => {
    const hit = cache.get(input);
    if (hit !== undefined || cache.has(input)) return hit as T;
    const value = fn(input);
    if (typeof value === 'object' && value !== null) Object.freeze(value);
    if (cache.size >= limit) cache = new Map();
    cache.set(input, value);
    return value;
  };
}
