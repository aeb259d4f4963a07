import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { PROJECT_DIR } from './helpers/fixtures.js';

/** README.md and every page under docs/, as paths relative to the project. */
function pages(): string[] {
  const docs = readdirSync(join(PROJECT_DIR, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f));
  return ['README.md', ...docs].sort();
}

const read = (page: string): string => readFileSync(join(PROJECT_DIR, page), 'utf8');

/** The text outside fenced code blocks (examples there are not links). */
function prose(text: string): string {
  return text.replace(/^```[\s\S]*?^```/gm, '');
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');
}

function anchorsOf(page: string): Set<string> {
  return new Set([...prose(read(page)).matchAll(/^#{1,6} (.*)$/gm)].map((m) => anchorOf(m[1]!)));
}

function linksOf(page: string): string[] {
  return [...prose(read(page)).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((t) => !/^(https?|mailto):/.test(t));
}

/** The broken relative links of a page: a missing file, or an anchor no heading of its page has. */
function brokenLinks(page: string): string[] {
  const broken: string[] = [];
  for (const target of linksOf(page)) {
    const [path, anchor] = target.split('#') as [string, string | undefined];
    const file = path === '' ? page : normalize(join(dirname(page), path));
    if (!existsSync(join(PROJECT_DIR, file))) broken.push(`${page}: ${target} (no file ${file})`);
    else if (anchor !== undefined && file.endsWith('.md') && !anchorsOf(file).has(anchor)) broken.push(`${page}: ${target} (no heading #${anchor} in ${file})`);
  }
  return broken;
}

/** The pages reachable from the README by following relative links between pages. */
function reachableFromReadme(): Set<string> {
  const seen = new Set<string>(['README.md']);
  const queue = ['README.md'];
  for (let page = queue.shift(); page !== undefined; page = queue.shift()) {
    for (const target of linksOf(page)) {
      const path = target.split('#')[0]!;
      if (path === '' || !path.endsWith('.md')) continue;
      const file = normalize(join(dirname(page), path));
      if (!seen.has(file) && existsSync(join(PROJECT_DIR, file))) {
        seen.add(file);
        queue.push(file);
      }
    }
  }
  return seen;
}

test('every page under docs/ can be reached from the README by its links', () => {
  const reachable = reachableFromReadme();
  expect(pages().filter((p) => !reachable.has(p))).toEqual([]);
});

test.each(pages())('%s: every relative link resolves, anchors included', (page) => {
  expect(brokenLinks(page)).toEqual([]);
});

test.each(pages())('%s: every repository path it names in backticks exists', (page) => {
  const named = [...prose(read(page)).matchAll(/`((?:src|test|scripts|bench|charts|manifests|docs)\/[\w./-]*)`/g)].map((m) => m[1]!);
  const missing = named.filter((p) => !p.includes('*') && !existsSync(join(PROJECT_DIR, p.replace(/\/$/, ''))));
  expect([...new Set(missing)].map((p) => relative('.', p))).toEqual([]);
});

test('no source file cites a document outside the repository (DESIGN.md lives beside it, not in it)', () => {
  const roots = ['src', 'scripts', 'charts', 'manifests', 'bench', 'test'];
  const citing = roots.flatMap((root) =>
    readdirSync(join(PROJECT_DIR, root), { recursive: true, encoding: 'utf8' })
      .map((f) => join(root, f))
      .filter((f) => /\.(ts|js|mjs|sh|ya?ml|json|go|tpl)$/.test(f) && f !== join('test', 'docs.test.ts'))
      .filter((f) => /\bDESIGN(\.md)?\b/.test(readFileSync(join(PROJECT_DIR, f), 'utf8'))),
  );
  expect(citing).toEqual([]);
});
