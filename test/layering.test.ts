import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROJECT_DIR } from './helpers/fixtures.js';

/** Every import specifier of every .ts file under src/<dir>/. */
function importsOf(dir: string): { file: string; spec: string }[] {
  const root = join(PROJECT_DIR, 'src', dir);
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  return files.flatMap((f) => {
    const text = readFileSync(join(root, f), 'utf8');
    return [...text.matchAll(/from '([^']+)'/g)].map((m) => ({ file: relative(PROJECT_DIR, join(root, f)), spec: m[1]! }));
  });
}

// The layering of the README's Development section: mutate/ and validate/ both depend on
// datastore/, never on each other; datastore/ depends on neither.
test.each([
  ['mutate', ['/validate/', '/http/', '/cli/', '/webhook/']],
  ['validate', ['/mutate/', '/http/', '/cli/', '/webhook/']],
  ['datastore', ['/mutate/', '/validate/', '/http/', '/cli/', '/webhook/']],
])('src/%s/ imports none of %j', (dir, forbidden) => {
  const bad = importsOf(dir).filter(({ spec }) => forbidden.some((f) => spec.includes(f)));
  expect(bad).toEqual([]);
});
