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

test('cloneJson keeps the one shared object by reference and copies the rest', () => {
  const managedFields = [{ manager: 'kubectl', fieldsV1: { 'f:metadata': {} } }];
  const original = { metadata: { name: 'a', managedFields, labels: { x: '1' } }, spec: { containers: [{ name: 'c' }] } };
  const copy = cloneJson(original, managedFields);
  expect(copy).toEqual(original);
  expect(Object.keys(copy.metadata)).toEqual(['name', 'managedFields', 'labels']);
  expect(copy.metadata.managedFields).toBe(managedFields);
  expect(copy.metadata.labels).not.toBe(original.metadata.labels);
  expect(copy.spec.containers[0]).not.toBe(original.spec.containers[0]);
});
