import fastJsonPatch from 'fast-json-patch';
import { cloneJson } from '../src/mutate/clone.js';
import { diffPatch } from '../src/mutate/patch.js';
import { loadReview, reviewFileNames } from './helpers/fixtures.js';

// diffPatch is fast-json-patch's compare without its JSON round trip per value; it must produce
// exactly the same operations. Checked on every recorded object and on seeded random edits of it.

function withoutManagedFields(obj: Record<string, unknown>): Record<string, unknown> {
  const meta = obj['metadata'] as Record<string, unknown> | undefined;
  if (meta === undefined || !('managedFields' in meta)) return obj;
  const { managedFields: _ignored, ...rest } = meta;
  return { ...obj, metadata: rest };
}

/** Returns the number of operations, so callers can check the edits changed something. */
function expectSameAsCompare(before: Record<string, unknown>, after: Record<string, unknown>): number {
  const ours = diffPatch(before, after);
  const theirs = fastJsonPatch.compare(withoutManagedFields(before), withoutManagedFields(after));
  expect(JSON.stringify(ours)).toBe(JSON.stringify(theirs));
  return ours.length;
}

/** A small deterministic PRNG (mulberry32), so failures reproduce. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Edits one random place below the top level of a JSON tree: replace, remove, add, or change a value's type. */
function editRandomly(root: Record<string, unknown>, rnd: () => number): void {
  let node: unknown = root;
  for (let depth = 0; depth < 8; depth++) {
    const keys = Object.keys(node as object);
    if (keys.length === 0) break;
    const key = keys[Math.floor(rnd() * keys.length)]!;
    const child = (node as Record<string, unknown>)[key];
    if (depth > 0 && (typeof child !== 'object' || child === null || rnd() < 0.25)) {
      const target = node as Record<string, unknown>;
      const choice = rnd();
      if (choice < 0.3) target[key] = `edited-${Math.floor(rnd() * 1000)}`;
      else if (choice < 0.5) {
        if (Array.isArray(target)) (target as unknown[]).splice(Number(key), 1);
        else delete target[key];
      } else if (choice < 0.7) {
        if (Array.isArray(target)) (target as unknown[]).push({ name: 'added', value: 'x' });
        else target[`added-${Math.floor(rnd() * 1000)}`] = { nested: [1, 'two'] };
      } else if (choice < 0.85) target[key] = Array.isArray(child) ? { was: 'array' } : ['now', 'array'];
      else target[key] = null;
      return;
    }
    if (typeof child !== 'object' || child === null) return;
    node = child;
  }
}

describe.each(reviewFileNames())('%s', (file) => {
  const review = loadReview(file);
  const objects = [review.request.object, review.request.oldObject].filter((o): o is Record<string, unknown> => o != null);

  test('diffPatch equals compare between the old and new object, and for random edits', () => {
    if (objects.length === 2) expectSameAsCompare(objects[1]!, objects[0]!);
    for (const object of objects) {
      const rnd = random(file.length * 7919);
      let changed = 0;
      for (let i = 0; i < 60; i++) {
        const edited = cloneJson(object);
        const edits = 1 + Math.floor(rnd() * 4);
        for (let e = 0; e < edits; e++) editRandomly(edited, rnd);
        if (expectSameAsCompare(object, edited) > 0) changed++;
      }
      expect(changed).toBeGreaterThan(30);
    }
  });
});

test('an unchanged object gives no operations, and the same object short-circuits', () => {
  const object = loadReview('pod-create-etcd.json').request.object as Record<string, unknown>;
  expect(diffPatch(object, cloneJson(object))).toEqual([]);
  expect(diffPatch(object, object)).toEqual([]);
});

test('keys with "/" and "~" are escaped as JSON pointers', () => {
  expectSameAsCompare({ metadata: { annotations: { 'a/b~c': '1' } } }, { metadata: { annotations: { 'a/b~c': '2', 'x~/y': '3' } } });
});
