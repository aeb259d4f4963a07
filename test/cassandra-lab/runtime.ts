import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './host.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const POM = join(HERE, 'maven', 'pom.xml');
const IMAGE_FILES = join(HERE, 'image');

export function cacheDir(): string {
  return join(process.env['GOSSIP_SAFE_CACHE'] ?? join(homedir(), '.cache', 'gossip-safe'), 'cassandra-lab');
}

/**
 * One Cassandra release as the lab's stand-in for its container image: a directory mounted at
 * /opt/cassandra in the pod, holding the launcher and nodetool wrappers, their config, and the
 * classpath of the real cassandra-all release (its jars in lib/, linked from the local Maven
 * repository).
 */
export interface Release {
  readonly version: string;
  readonly imageDir: string;
}

const MAVEN_TIMEOUT_MS = 15 * 60_000;

/**
 * Resolves `org.apache.cassandra:cassandra-all:<version>` and its runtime dependencies with
 * Maven (cached in ~/.m2; the classpath file is cached under $GOSSIP_SAFE_CACHE/cassandra-lab),
 * and lays out the image directory. Throws with one clear line when Maven or Java is missing.
 */
export async function resolveRelease(version: string): Promise<Release> {
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`cassandra lab: bad Cassandra version "${version}"`);
  const dir = join(cacheDir(), version);
  const classpathFile = join(dir, 'classpath.txt');
  mkdirSync(dir, { recursive: true });
  if (!classpathComplete(classpathFile)) {
    const r = await run(
      ['mvn', '-B', '-q', '-f', POM, `-Dcassandra.version=${version}`, 'dependency:build-classpath', `-Dmdep.outputFile=${classpathFile}`],
      { timeoutMs: MAVEN_TIMEOUT_MS },
    );
    if (r.code !== 0 || !classpathComplete(classpathFile)) {
      throw new Error(`cassandra lab: Maven could not resolve cassandra-all ${version} (${r.timedOut ? 'timed out' : `exit ${r.code}`}): ${r.output.trim().split('\n').slice(-5).join(' | ')}`);
    }
  }
  const imageDir = join(dir, 'image');
  for (const sub of ['bin', 'conf']) {
    mkdirSync(join(imageDir, sub), { recursive: true });
    for (const f of readdirSync(join(IMAGE_FILES, sub))) copyFileSync(join(IMAGE_FILES, sub, f), join(imageDir, sub, f));
  }
  // The jars go into the image's lib/ (hard links into ~/.m2, else copies), as in the real image:
  // a server that steps down to the cassandra user could not reach ~/.m2 under a 0700 /root.
  const lib = join(imageDir, 'lib');
  rmSync(lib, { recursive: true, force: true });
  mkdirSync(lib, { recursive: true });
  const inImage: string[] = [];
  for (const jar of readFileSync(classpathFile, 'utf8').trim().split(':')) {
    let name = basename(jar);
    if (existsSync(join(lib, name))) name = `${inImage.length}-${name}`;
    try {
      linkSync(jar, join(lib, name));
    } catch {
      copyFileSync(jar, join(lib, name));
    }
    inImage.push(`/opt/cassandra/lib/${name}`);
  }
  writeFileSync(join(imageDir, 'classpath'), inImage.join(':'));
  writeFileSync(join(imageDir, 'version'), `${version}\n`);
  return { version, imageDir };
}

function classpathComplete(file: string): boolean {
  if (!existsSync(file)) return false;
  const jars = readFileSync(file, 'utf8').trim().split(':');
  return jars.length > 10 && jars.some((j) => j.includes('cassandra-all')) && jars.every((j) => existsSync(j));
}

/** Java 17 must be there; Cassandra 5.0 runs on 11 or 17. */
export async function requireJava17(): Promise<void> {
  const r = await run(['java', '-version'], { timeoutMs: 30_000 });
  if (r.code !== 0 || !/version "17\./.test(r.output)) {
    throw new Error(`cassandra lab: needs JDK 17 as \`java\` on PATH (Debian: openjdk-17-jdk-headless); got: ${r.output.trim().split('\n')[0] ?? 'nothing'}`);
  }
}
