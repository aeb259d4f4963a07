/**
 * A deep copy of a JSON value (what JSON.parse or a YAML parser returns: plain objects, arrays,
 * strings, numbers, booleans, null). Several times faster than structuredClone on a pod, which
 * matters because every admitted datastore pod is cloned once (see the README's Performance).
 * `share`, when given, is one object or array inside `value` that the copy keeps by reference.
 */
export function cloneJson<T>(value: T, share?: object): T {
  return copy(value, share) as T;
}

function copy(value: unknown, share: object | undefined): unknown {
  if (typeof value !== 'object' || value === null || value === share) return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copy(value[i], share);
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = copy((value as Record<string, unknown>)[key], share);
    // JSON.parse makes "__proto__" an own key; plain assignment would set the prototype instead.
    if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    else out[key] = v;
  }
  return out;
}
