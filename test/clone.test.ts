import { cloneJson } from '../src/mutate/clone.js';

test('cloneJson makes a deep copy of a JSON value', () => {
  const original = { a: [1, { b: 'c' }, null], d: { e: true, f: 1.5 }, g: '' };
  const copy = cloneJson(original);
  expect(copy).toEqual(original);
  expect(copy).not.toBe(original);
  expect(copy.a).not.toBe(original.a);
  expect(copy.a[1]).not.toBe(original.a[1]);
  expect(copy.d).not.toBe(original.d);
});

test('cloneJson keeps a "__proto__" key from JSON.parse as an own key, not as the prototype', () => {
  const original = JSON.parse('{"metadata":{"annotations":{"__proto__":{"x":"1"}}}}') as { metadata: { annotations: Record<string, unknown> } };
  const copy = cloneJson(original);
  expect(Object.keys(copy.metadata.annotations)).toEqual(['__proto__']);
  expect(Object.getPrototypeOf(copy.metadata.annotations)).toBe(Object.prototype);
  expect(JSON.stringify(copy)).toBe(JSON.stringify(original));
});
