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

/**
 * The bodies the HTTP load uses: the Cassandra Pod CREATE (~10 KB, injected), the same pod with a
 * non-datastore image (passed through unchanged: what most pods in an opted-in namespace are),
 * and a StatefulSet UPDATE (~22 KB, migrate-from-image recorded).
 */
export const BODY_NAMES = ['pod CREATE', 'pod pass-through', 'sts UPDATE'] as const;
export type BodyName = (typeof BODY_NAMES)[number];

export const CASSANDRA_POD = 'pod-create-from-statefulset-cassandra.json';
const STS_UPDATE = 'statefulset-update-cassandra-3.11-to-4.1.json';
/** The image the pass-through pod runs instead of Cassandra: no profile matches it. */
export const PASS_THROUGH_IMAGE = 'nginx:1.27.3';

export function loadBodies(): Record<BodyName, string> {
  const text = (file: string): string => readFileSync(join(REVIEWS_DIR, file), 'utf8');
  const pod = JSON.parse(text(CASSANDRA_POD)) as { request: { object: { spec: { containers: { image: string }[] } } } };
  pod.request.object.spec.containers[0]!.image = PASS_THROUGH_IMAGE;
  return { 'pod CREATE': text(CASSANDRA_POD), 'pod pass-through': JSON.stringify(pod), 'sts UPDATE': text(STS_UPDATE) };
}

/** Every recorded review (test/fixtures/admission-reviews), by file name, as sent on the wire. */
export function recordedReviews(): { readonly file: string; readonly text: string }[] {
  const files = readdirSync(REVIEWS_DIR).filter((f) => f.endsWith('.json'));
  return files.sort().map((file) => ({ file, text: readFileSync(join(REVIEWS_DIR, file), 'utf8') }));
}
