import fc from 'fast-check';
import fastJsonPatch from 'fast-json-patch';
import { applyPatch, diffPatch } from '../src/patch/diff.js';

/**
 * diffPatch is gossip-safe's own comparison of two documents (the library's `compare` deep-copied
 * every added value and built a path for every node, most of an admission's cost). The library
 * stays the oracle: on generated documents, and on documents edited copy-on-write (so that
 * untouched subtrees are the same objects, which diffPatch skips), both give the same operations
 * in the same order, and the patch turns the first document into the second.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Container = Json[] | { [key: string]: Json };

const isContainer = (v: Json | undefined): v is Container => typeof v === 'object' && v !== null;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** One edit, applied copy-on-write: only the containers on the path to the edit are copied. */
interface Edit {
  readonly walk: readonly number[];
  readonly action: 'set' | 'delete' | 'add' | 'push' | 'pop' | 'replace-root-child';
  readonly key: string;
  readonly value: Json;
}

function applyEdit(doc: Container, edit: Edit, depth = 0): Container {
  const copy: Container = Array.isArray(doc) ? [...doc] : { ...doc };
  const keys = Object.keys(copy);
  const step = edit.walk[depth];
  if (step !== undefined && keys.length > 0) {
    const key = keys[step % keys.length]!;
    const child = (copy as Record<string, Json>)[key];
    if (isContainer(child) && depth < edit.walk.length - 1) {
      (copy as Record<string, Json>)[key] = applyEdit(child, edit, depth + 1);
      return copy;
    }
  }
  if (Array.isArray(copy)) {
    const index = keys.length === 0 ? 0 : (step ?? 0) % copy.length;
    if (edit.action === 'pop' || edit.action === 'delete') copy.splice(index, 1);
    else if (edit.action === 'push' || edit.action === 'add') copy.push(edit.value);
    else if (copy.length > 0) copy[index] = edit.value;
    else copy.push(edit.value);
    return copy;
  }
  const target = keys.length === 0 ? edit.key : keys[(step ?? 0) % keys.length]!;
  if (edit.action === 'delete' || edit.action === 'pop') delete copy[target];
  else if (edit.action === 'add' || edit.action === 'push') copy[edit.key] = edit.value;
  else copy[target] = edit.value;
  return copy;
}

const json = fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<Json>;
const root = fc.oneof(fc.dictionary(fc.string({ maxLength: 6 }), json, { maxKeys: 6 }), fc.array(json, { maxLength: 6 })) as fc.Arbitrary<Container>;
const edit: fc.Arbitrary<Edit> = fc.record({
  walk: fc.array(fc.nat(20), { maxLength: 5 }),
  action: fc.constantFrom('set', 'delete', 'add', 'push', 'pop', 'replace-root-child'),
  key: fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('a/b', 'm~n', '~1', '')),
  value: json,
});
/** A document and an edited version of it that shares every untouched subtree with it. */
const editedPair = fc.tuple(root, fc.array(edit, { minLength: 1, maxLength: 6 })).map(([doc, edits]) => {
  const after = edits.reduce((d, e) => applyEdit(d, e), doc);
  return [deepFreeze(doc), deepFreeze(after)] as const;
});
/** Two unrelated documents of the same kind (both mappings or both lists). */
const unrelatedPair = fc
  .tuple(root, root)
  .filter(([a, b]) => Array.isArray(a) === Array.isArray(b))
  .map(([a, b]) => [deepFreeze(a), deepFreeze(b)] as const);

const canonical = (v: unknown): string => JSON.stringify(v);
const asData = (v: unknown): unknown => JSON.parse(JSON.stringify(v)) as unknown;

describe('diffPatch', () => {
  it.each([
    ['edited copy-on-write', editedPair],
    ['unrelated', unrelatedPair],
  ] as const)('gives fast-json-patch compare\'s operations, in its order, and the patch applies (%s)', (_name, pairs) => {
    fc.assert(
      fc.property(pairs, ([before, after]) => {
        const ours = diffPatch(before, after);
        expect(canonical(ours)).toBe(canonical(fastJsonPatch.compare(before, after)));
        // Key order is not part of JSON's data model (an add appends the key): compare as data.
        expect(asData(applyPatch(before, ours))).toEqual(asData(after));
      }),
      { numRuns: 1500 },
    );
  });

  it('gives no operation for the same document, or for equal copies', () => {
    fc.assert(
      fc.property(root, (doc) => {
        expect(diffPatch(doc, doc)).toEqual([]);
        expect(diffPatch(doc, structuredClone(doc))).toEqual([]);
      }),
    );
  });

  it('escapes ~ and / in keys, and removes array items from the highest index down', () => {
    expect(diffPatch({ 'a/b': 1, 'c~d': [1, 2, 3] }, { 'a/b': 2, 'c~d': [1] })).toEqual([
      { op: 'remove', path: '/c~0d/2' },
      { op: 'remove', path: '/c~0d/1' },
      { op: 'replace', path: '/a~1b', value: 2 },
    ]);
  });

  it('leaves metadata.managedFields out of both sides', () => {
    const before = { metadata: { name: 'a', managedFields: [{ manager: 'kubectl' }] } };
    const after = { metadata: { name: 'b', managedFields: [{ manager: 'gossip-safe' }, { manager: 'x' }] } };
    expect(diffPatch(before, after)).toEqual([{ op: 'replace', path: '/metadata/name', value: 'b' }]);
  });

  it('replaces the whole document when a mapping becomes a list', () => {
    expect(diffPatch({ a: 1 }, [1])).toEqual([{ op: 'replace', path: '', value: [1] }]);
  });
});
