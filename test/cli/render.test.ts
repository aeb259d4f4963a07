import { parseManifest } from '../../src/offline/manifests.js';
import { renderManifest } from '../../src/cli/render.js';
import { InputError } from '../../src/errors.js';

function manifest(text: string, name = 'm.yaml') {
  return parseManifest({ name, text, explicit: true });
}

/** Replaces document `index` by `edit(value)` and renders the file. */
function rewrite(text: string, index: number, edit: (value: Record<string, unknown>) => void): string {
  const m = manifest(text);
  const value = structuredClone(m.documents[index]!.value) as Record<string, unknown>;
  edit(value);
  return renderManifest(m, new Map([[index, value]]));
}

const STREAM = `%YAML 1.2
---
# leading comment
apiVersion: v1
kind: ConfigMap
metadata:
  name: one # first
data:
  a: "1"
# trailing comment
...
---
apiVersion: v1
kind: ConfigMap
metadata: {name: two}
`;

test('only the replaced document changes; directives, markers and comments around it stay', () => {
  const out = rewrite(STREAM, 0, (v) => {
    (v['data'] as Record<string, string>)['b'] = '2';
  });
  expect(out).toBe(STREAM.replace('  a: "1"\n', '  a: "1"\n  b: "2"\n'));
});

test('a changed scalar keeps its comment; the other documents are byte-identical', () => {
  const out = rewrite(STREAM, 1, (v) => {
    (v['metadata'] as Record<string, string>)['name'] = 'deux';
  });
  expect(out).toBe(STREAM.replace('{name: two}', '{name: deux}'));
});

test('objects are found in Lists with the line of their kind', () => {
  const m = manifest('apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p}\n');
  expect(m.documents[0]!.objects.map((o) => [o.object.kind, o.line, o.path])).toEqual([['Pod', 5, ['items', 0]]]);
});

test('JSON streams stay JSON, with the file\'s indentation', () => {
  const text = '{\n    "apiVersion": "v1",\n    "kind": "ConfigMap",\n    "metadata": {"name": "a"}\n}\n{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "b"}}\n';
  const m = manifest(text, 'm.json');
  expect(m.json).toBe(true);
  const value = structuredClone(m.documents[0]!.value) as Record<string, unknown>;
  value['data'] = { x: 'y' };
  const out = renderManifest(m, new Map([[0, value]]));
  expect(out.endsWith('\n{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "b"}}\n')).toBe(true);
  expect(out.startsWith('{\n    "apiVersion": "v1",')).toBe(true);
  expect(manifest(out, 'out.json').documents.map((d) => d.value)).toEqual([value, m.documents[1]!.value]);
});

test('malformed input names the file and line; a named file that is no object is an error', () => {
  expect(() => manifest('a: 1\nb: [oops\n', 'bad.yaml')).toThrow(InputError);
  expect(() => manifest('a: 1\nb: [oops\n', 'bad.yaml')).toThrow(/^bad\.yaml:\d+: not valid YAML or JSON: /);
  expect(() => manifest('just: data\n', 'values.yaml')).toThrow('values.yaml:1: not a Kubernetes object (no apiVersion and kind)');
  expect(parseManifest({ name: 'values.yaml', text: 'just: data\n', explicit: false }).documents[0]!.objects).toEqual([]);
});

// Rough edge: the leading comment of a file without `---` (the common case) came out twice.
test.each([
  ['a file without ---', '# Cassandra ring\n# second line\napiVersion: v1\nkind: ConfigMap\ndata:\n  a: "1"\n'],
  ['a comment before a blank line', '# Cassandra ring\n\napiVersion: v1\nkind: ConfigMap\ndata:\n  a: "1"\n'],
])('the leading comment of %s is written once', (_name, text) => {
  const m = manifest(text);
  const value = structuredClone<unknown>(m.documents[0]!.value);
  const edited = Array.isArray(value) ? [...(value as unknown[]), 'c'] : { ...(value as object), kind: 'Secret' };
  const out = renderManifest(m, new Map([[0, edited]]));
  expect(out.match(/^# /gm)).toHaveLength(text.match(/^# /gm)!.length);
  expect(out.startsWith(text.split('\n')[0]!)).toBe(true);
});
