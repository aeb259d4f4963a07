import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareFormats, formatsEnvValue, readableFormats, writtenFormat } from '../src/premigrate/formats.js';
import { premigrateScript } from '../src/premigrate/index.js';
import { scriptFunctions } from '../src/premigrate/script.js';
import { compareVersions, imageVersion, parseTagVersion } from '../src/profiles/version.js';
import { createSandbox, runtimeEnv, sstable, type Sandbox, type StatusPhase } from './helpers/premigrate-sandbox.js';

/**
 * Issue 22 item 6: the SSTable format table with both bounds (what each release writes, the
 * oldest and the newest it reads), the script's guard on both bounds over every data directory,
 * and one table of version cases that the TypeScript and the shell must both agree with.
 */
describe('the Cassandra SSTable format table (upstream BigFormat/BtiFormat at each release)', () => {
  test.each([
    ['2.1.22', 'ka', 'ja', 'ka'],
    ['2.2.0', 'la', 'jb', 'la'],
    ['2.2.6', 'la', 'jb', 'la'],
    ['2.2.7', 'lb', 'jb', 'lb'],
    ['2.2.19', 'lb', 'jb', 'lb'],
    ['3.0.0', 'ma', 'jb', 'ma'],
    ['3.0.6', 'ma', 'jb', 'ma'],
    ['3.0.7', 'mb', 'jb', 'mb'],
    ['3.0.8', 'mc', 'jb', 'mc'],
    ['3.0.17', 'mc', 'jb', 'mc'],
    ['3.0.18', 'md', 'jb', 'md'],
    ['3.0.24', 'md', 'jb', 'md'],
    ['3.0.25', 'me', 'jb', 'me'],
    ['3.7', 'mb', 'jb', 'mb'],
    ['3.9', 'mc', 'jb', 'mc'],
    ['3.11.0', 'mc', 'jb', 'mc'],
    ['3.11.3', 'mc', 'jb', 'mc'],
    ['3.11.4', 'md', 'jb', 'md'],
    ['3.11.10', 'md', 'jb', 'md'],
    ['3.11.11', 'me', 'jb', 'me'],
    ['4.0.0', 'nb', 'ma', 'nb'],
    ['4.1.5', 'nb', 'ma', 'nb'],
    ['5.0.5', 'nb', 'ma', 'oa'],
  ])('%s writes %s and reads big %s..%s', (version, writes, oldest, newest) => {
    const v = parseTagVersion(version);
    expect(writtenFormat('cassandra', v)).toBe(writes);
    expect(readableFormats('cassandra', v)?.big).toEqual({ oldest, newest });
  });

  test('bti: 5.0 reads da only; 4.x none; 2.0 and ScyllaDB have no row', () => {
    expect(readableFormats('cassandra', parseTagVersion('5.0.2'))?.bti).toEqual({ oldest: 'da', newest: 'da' });
    expect(readableFormats('cassandra', parseTagVersion('4.1.5'))?.bti).toBeUndefined();
    expect(readableFormats('cassandra', parseTagVersion('2.0.17'))).toBeUndefined();
    expect(readableFormats('scylla', parseTagVersion('5.4.0'))).toBeUndefined();
  });

  test('the env value carries both bounds', () => {
    expect(formatsEnvValue(readableFormats('cassandra', parseTagVersion('5.0.5'))!)).toBe('big:ma..oa bti:da..da');
    expect(formatsEnvValue(readableFormats('cassandra', parseTagVersion('2.2.7'))!)).toBe('big:jb..lb');
  });
});

interface Cases {
  readonly versions: readonly (readonly [string, string, number])[];
  readonly images: readonly (readonly [string, string | null])[];
  readonly formats: readonly (readonly [string, string, number])[];
}
const CASES = JSON.parse(readFileSync(new URL('./fixtures/premigrate-version-cases.json', import.meta.url), 'utf8')) as Cases;

/** Runs the script's own functions under dash, one call per input line "fn arg1 arg2". */
function shell(lines: readonly string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'gs-vcmp-'));
  try {
    writeFileSync(join(dir, 'lib.sh'), scriptFunctions());
    const driver = `. "${join(dir, 'lib.sh')}"\nwhile IFS=' ' read -r fn a b; do\n  [ -n "$fn" ] || continue\n  if [ "$fn" = image_version ]; then "$fn" "$a"; else "$fn" "$a" "$b"; fi\ndone\n`;
    return execFileSync('dash', ['-c', driver], { input: `${lines.join('\n')}\n`, encoding: 'utf8', timeout: 20_000 }).split('\n').slice(0, lines.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('one table of version cases for the TypeScript and the shell', () => {
  test('numeric versions: compareVersions and version_cmp agree with the table', () => {
    const ts = CASES.versions.map(([a, b]) => compareVersions(parseTagVersion(a)!, parseTagVersion(b)!));
    const sh = shell(CASES.versions.map(([a, b]) => `version_cmp ${a} ${b}`)).map(Number);
    const want = CASES.versions.map(([, , c]) => c);
    expect({ ts, sh }).toEqual({ ts: want, sh: want });
  });

  test('image tags: imageVersion and image_version read the same version (none: the shell echoes the tag, which is not a number)', () => {
    const ts = CASES.images.map(([image]) => imageVersion(image)?.text ?? null);
    const sh = shell(CASES.images.map(([image]) => `image_version ${image}`)).map((v) => (/^[0-9][0-9.]*$/.test(v) ? v : null));
    const want = CASES.images.map(([, v]) => v);
    expect({ ts, sh }).toEqual({ ts: want, sh: want });
  });

  test('SSTable format versions: compareFormats and format_cmp agree with the table', () => {
    const ts = CASES.formats.map(([a, b]) => compareFormats(a, b));
    const sh = shell(CASES.formats.map(([a, b]) => `format_cmp ${a} ${b}`)).map(Number);
    const want = CASES.formats.map(([, , c]) => c);
    expect({ ts, sh }).toEqual({ ts: want, sh: want });
  });
});

const ALONE: readonly StatusPhase[] = [{ from: 1, nodes: [['UN', 'self']] }];

describe('the format guard on both bounds, over every data directory (dash, stand-in binaries)', () => {
  let sb: Sandbox;
  afterEach(() => sb.cleanup());
  const script = (dirs: readonly string[]): string => premigrateScript('cassandra', { dataDirs: dirs, timeoutSeconds: 600 });

  test('2.2 data (la) under a 4.1 target: refused in one line before anything starts (4.1 reads nothing older than ma)', async () => {
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: ALONE });
    const file = sstable(sb.dataDir, 'la-4-big-Data.db');
    sstable(sb.dataDir, 'lb-5-big-Data.db');
    const res = await sb.run(script([sb.dataDir]), { env: runtimeEnv('cassandra:2.2.19', 'cassandra:4.1.3') });
    expect(res.code).toBe(1);
    expect(sb.calls()).toEqual([]);
    expect(sb.marker()).toBeUndefined();
    expect(res.log.filter((l) => l.includes('REFUSED'))).toEqual([
      `FAILED: REFUSED: the data holds SSTable format big la (${file}), older than Cassandra 4.1.3 (the new image cassandra:4.1.3) reads (big from ma); it must not start on this data: rewrite it first with nodetool upgradesstables on a release that reads both`,
    ]);
  });

  test('2.2.7+ writes lb: lb data and an old image 2.2.19 pass (2.2 is not one row)', async () => {
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: ALONE });
    sstable(sb.dataDir, 'lb-5-big-Data.db');
    const res = await sb.run(script([sb.dataDir]), { env: runtimeEnv('cassandra:2.2.19', 'cassandra:3.11.16') });
    expect(res.log.filter((l) => l.includes('REFUSED'))).toEqual([]);
    expect(res.code).toBe(0);
    expect(res.log).toContain('SSTable formats on disk (oldest..newest): big lb..lb');
  });

  test('3.0.0-3.0.6 write ma: mb data (3.0.7+) and an old image 3.0.6 are refused', async () => {
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: ALONE });
    const file = sstable(sb.dataDir, 'mb-2-big-Data.db');
    const res = await sb.run(script([sb.dataDir]), { env: runtimeEnv('cassandra:3.0.6', 'cassandra:3.11.16') });
    expect(res.code).toBe(1);
    expect(sb.calls()).toEqual([]);
    expect(res.log).toContain(
      `FAILED: REFUSED: the data holds SSTable format big mb (${file}), newer than Cassandra 3.0.6 (the old image cassandra:3.0.6) reads (big up to ma); it must not start on this data`,
    );
  });

  test('every data directory is scanned: newer SSTables in the second one refuse an old image that cannot read them', async () => {
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: ALONE });
    sstable(sb.dataDir, 'me-3-big-Data.db');
    const second = join(sb.dir, 'bitnami-cassandra');
    const file = sstable(second, 'nb-9-big-Data.db');
    const res = await sb.run(script([sb.dataDir, second]), { env: runtimeEnv('cassandra:3.11.16', 'cassandra:4.1.3') });
    expect(res.code).toBe(1);
    expect(sb.calls()).toEqual([]);
    expect(res.log.some((l) => l.includes(`SSTable format big nb (${file}), newer than Cassandra 3.11.16`))).toBe(true);
  });

  test('SSTables outside data/ and commitlog/ (data1/) make the node not fresh: guarded, not marked fresh', async () => {
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: ALONE });
    const dir = join(sb.dataDir, 'data1', 'lab', 'rows-0c6dd2a0ecd811f1b7b945fa36c1527e');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'oa-1-big-Data.db'), 'sstable');
    const res = await sb.run(script([sb.dataDir]), { env: runtimeEnv('cassandra:4.1.5', 'cassandra:5.0.5') });
    expect(res.code).toBe(1);
    expect(sb.marker()).toBeUndefined();
    expect(res.log.some((l) => l.includes('SSTable format big oa') && l.includes('newer than Cassandra 4.1.5'))).toBe(true);
  });
});
