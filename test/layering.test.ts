import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, sep } from 'node:path';
import { PROJECT_DIR } from './helpers/fixtures.js';
import { LAYERS, layerOf, libraryOwners, type Edge, findCycles, layerViolations } from './helpers/layers.js';

const SRC = join(PROJECT_DIR, 'src');

/** Every .ts file under src/, as a path relative to src/ with forward slashes. */
function sourceFiles(): string[] {
  return readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.split(sep).join('/'))
    .sort();
}

/** Every import of every source file: static `from '…'`, side-effect `import '…'`, and `import('…')`. */
function importsOf(file: string): { spec: string; typeOnly: boolean }[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const found: { spec: string; typeOnly: boolean }[] = [];
  for (const m of text.matchAll(/^(import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'/gms)) found.push({ spec: m[3]!, typeOnly: m[2] !== undefined });
  for (const m of text.matchAll(/^import\s+'([^']+)'/gm)) found.push({ spec: m[1]!, typeOnly: false });
  for (const m of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) found.push({ spec: m[1]!, typeOnly: false });
  return found;
}

/** Edges between source files (relative imports resolved to src/-relative .ts paths). */
function sourceEdges(): Edge[] {
  return sourceFiles().flatMap((from) =>
    importsOf(from)
      .filter(({ spec }) => spec.startsWith('.'))
      .map(({ spec }) => ({ from, to: posix.normalize(posix.join(posix.dirname(from), spec)).replace(/\.js$/, '.ts') })),
  );
}

const folderOf = (file: string): string => (file.includes('/') ? file.slice(0, file.indexOf('/')) : file);

test('every file of src/ belongs to a declared layer', () => {
  expect(sourceFiles().filter((f) => layerOf(f) === undefined)).toEqual([]);
});

test('every declared layer entry exists in src/ (the table is not stale)', () => {
  const files = sourceFiles();
  const missing = LAYERS.flatMap((l) => l.entries).filter((e) => !files.some((f) => f === e || f.startsWith(`${e}/`)));
  expect(missing).toEqual([]);
});

test('every relative import resolves to a file of src/', () => {
  const files = new Set(sourceFiles());
  expect(sourceEdges().filter((e) => !files.has(e.to))).toEqual([]);
});

test('no file imports a file of a higher layer, or of another folder of its own layer', () => {
  expect(layerViolations(sourceEdges())).toEqual([]);
});

test('no cycle between files', () => {
  expect(findCycles(sourceEdges())).toEqual([]);
});

test('no cycle between folders', () => {
  const edges = sourceEdges()
    .map((e) => ({ from: folderOf(e.from), to: folderOf(e.to) }))
    .filter((e) => e.from !== e.to);
  expect(findCycles(edges)).toEqual([]);
});

test.each(Object.entries(libraryOwners).map(([library, owners]) => [library, owners.join(', '), owners] as const))('%s is loaded at run time only by %s', (library, _names, owners) => {
  const loaders = sourceFiles().filter((f) => importsOf(f).some(({ spec, typeOnly }) => spec === library && !typeOnly));
  expect(loaders.filter((f) => !owners.some((o) => f === o || f.startsWith(`${o}/`)))).toEqual([]);
});

// The checks above must be able to fail: each finds what it is for in a made-up graph.
describe('the checks themselves', () => {
  test('a cycle is found, with its members in order', () => {
    expect(findCycles([
      { from: 'a', to: 'b' },
      { from: 'b', to: 'c' },
      { from: 'c', to: 'a' },
      { from: 'c', to: 'd' },
    ])).toEqual([['a', 'b', 'c']]);
  });
  test('an import upwards is a violation', () => {
    expect(layerViolations([{ from: 'profiles/types.ts', to: 'cli/check.ts' }])).toEqual([
      'profiles/types.ts (profiles) imports cli/check.ts (commands)',
    ]);
  });
  test('an import between two folders of one layer is a violation', () => {
    expect(layerViolations([{ from: 'mutate/pod.ts', to: 'validate/index.ts' }])).toEqual([
      'mutate/pod.ts (engines) imports validate/index.ts (engines), another folder of its own layer',
    ]);
  });
});
