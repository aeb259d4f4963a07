import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder up with a package.json (runs from dist-bench/bench/). */
export const PROJECT_DIR = ((): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('benchmark: cannot find the project root');
    dir = up;
  }
  return dir;
})();

export const REVIEWS_DIR = join(PROJECT_DIR, 'test', 'fixtures', 'admission-reviews');

/** The two bodies the HTTP load uses: a Pod CREATE (~10 KB) and a StatefulSet UPDATE (~22 KB). */
export const LOAD_BODIES = {
  'pod CREATE': 'pod-create-from-statefulset-cassandra.json',
  'sts UPDATE': 'statefulset-update-cassandra-3.11-to-4.1.json',
} as const;
export type BodyName = keyof typeof LOAD_BODIES;

/** Every recorded review (test/fixtures/admission-reviews), by file name, as sent on the wire. */
export function recordedReviews(): { readonly file: string; readonly text: string }[] {
  const files = readdirSync(REVIEWS_DIR).filter((f) => f.endsWith('.json'));
  return files.sort().map((file) => ({ file, text: readFileSync(join(REVIEWS_DIR, file), 'utf8') }));
}
