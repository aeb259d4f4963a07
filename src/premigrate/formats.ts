import type { PremigrateScriptKind } from '../profiles/types.js';
import type { ImageVersion } from '../profiles/version.js';

/**
 * SSTable format versions (docs/premigration.md "SSTable formats"). A format version is two
 * lower-case letters that order the releases (`ja` < ... < `la` < `lb` < `ma` < ... < `me` <
 * `na` < `nb` < `oa`): the plain string order, as Cassandra's own `Version.compareTo` uses.
 * A release reads a range of each family it knows, from its oldest supported version to its
 * newest; `big` is the classic family, `bti` (`da`) 5.0's trie-indexed one.
 */
export interface FormatRange {
  readonly oldest: string;
  readonly newest: string;
}

export interface ReadableFormats {
  readonly big: FormatRange;
  readonly bti?: FormatRange;
}

/** One release line (major.minor), from a patch release on. Later rules of a line win. */
interface FormatRule {
  readonly major: number;
  readonly minor: number;
  readonly fromPatch?: number;
  /** The big-format version the release writes by default. */
  readonly writes: string;
  readonly reads: ReadableFormats;
}

const range = (oldest: string, newest: string): FormatRange => ({ oldest, newest });

/**
 * Cassandra. Each row from upstream apache/cassandra at the release named: the writes column is
 * BigFormat's `current_version`, the oldest column its `earliest_supported_version` (before 2.2,
 * `Descriptor.Version.isCompatible`), and the release boundaries its version comments
 * ("mb (3.0.7, 3.7)", "mc (3.0.8, 3.9)", "md (3.0.18, 3.11.4)", "me (3.0.25, 3.11.11)").
 */
const CASSANDRA_FORMATS: readonly FormatRule[] = [
  // 2.1.22 src/java/org/apache/cassandra/io/sstable/Descriptor.java: current "ka", compatible from "ja".
  { major: 2, minor: 1, writes: 'ka', reads: { big: range('ja', 'ka') } },
  // 2.2.6 .../format/big/BigFormat.java: current "la", earliest "jb".
  { major: 2, minor: 2, writes: 'la', reads: { big: range('jb', 'la') } },
  // 2.2.7 BigFormat.java: current "lb" ("lb (2.2.7): commit log lower bound included").
  { major: 2, minor: 2, fromPatch: 7, writes: 'lb', reads: { big: range('jb', 'lb') } },
  // 3.0.6 BigFormat.java: current "ma", earliest "jb".
  { major: 3, minor: 0, writes: 'ma', reads: { big: range('jb', 'ma') } },
  // 3.0.7 BigFormat.java: current "mb".
  { major: 3, minor: 0, fromPatch: 7, writes: 'mb', reads: { big: range('jb', 'mb') } },
  // 3.11.0 BigFormat.java comments: "mc (3.0.8, 3.9)"; 4.0.0's: "md (3.0.18, 3.11.4)", "me (3.0.25, 3.11.11)".
  { major: 3, minor: 0, fromPatch: 8, writes: 'mc', reads: { big: range('jb', 'mc') } },
  { major: 3, minor: 0, fromPatch: 18, writes: 'md', reads: { big: range('jb', 'md') } },
  { major: 3, minor: 0, fromPatch: 25, writes: 'me', reads: { big: range('jb', 'me') } },
  // The 3.x tick-tock releases: ma until "mb (3.0.7, 3.7)", mb until "mc (3.0.8, 3.9)".
  ...[1, 2, 3, 4, 5, 6].map((minor): FormatRule => ({ major: 3, minor, writes: 'ma', reads: { big: range('jb', 'ma') } })),
  ...[7, 8].map((minor): FormatRule => ({ major: 3, minor, writes: 'mb', reads: { big: range('jb', 'mb') } })),
  { major: 3, minor: 9, writes: 'mc', reads: { big: range('jb', 'mc') } },
  { major: 3, minor: 10, writes: 'mc', reads: { big: range('jb', 'mc') } },
  // 3.11.0 BigFormat.java: current "mc", earliest "jb"; md from 3.11.4, me from 3.11.11 (above).
  { major: 3, minor: 11, writes: 'mc', reads: { big: range('jb', 'mc') } },
  { major: 3, minor: 11, fromPatch: 4, writes: 'md', reads: { big: range('jb', 'md') } },
  { major: 3, minor: 11, fromPatch: 11, writes: 'me', reads: { big: range('jb', 'me') } },
  // 4.0.0 and 4.1.5 BigFormat.java: current "nb", earliest "ma"; no bti.
  { major: 4, minor: 0, writes: 'nb', reads: { big: range('ma', 'nb') } },
  { major: 4, minor: 1, writes: 'nb', reads: { big: range('ma', 'nb') } },
  // 5.0.5 BigFormat.java: current "nb" while storage_compatibility_mode is before 5 (the default
  // CASSANDRA_4), else "oa"; earliest "ma". 5.0.5 bti/BtiFormat.java: current and earliest "da".
  { major: 5, minor: 0, writes: 'nb', reads: { big: range('ma', 'oa'), bti: range('da', 'da') } },
];

/**
 * Per pre-migration script kind. ScyllaDB has no table yet: its release numbering (OSS x.y,
 * Enterprise 20yy.x) and the first release of each format are not pinned down here, and a
 * wrong row would refuse a good upgrade or allow a bad one; without a row the script says it
 * cannot check the format.
 */
const TABLES: Readonly<Record<PremigrateScriptKind, readonly FormatRule[]>> = {
  cassandra: CASSANDRA_FORMATS,
  scylla: [],
};

function ruleFor(kind: PremigrateScriptKind, version: ImageVersion | undefined): FormatRule | undefined {
  if (version === undefined) return undefined;
  const patch = version.parts[2] ?? 0;
  let found: FormatRule | undefined;
  let newest: FormatRule | undefined;
  for (const rule of TABLES[kind]) {
    if (newest === undefined || rule.major > newest.major || (rule.major === newest.major && rule.minor > newest.minor)) newest = rule;
    if (rule.major === version.major && rule.minor === version.minor && patch >= (rule.fromPatch ?? 0)) found = rule;
  }
  if (found !== undefined) return found;
  if (newest !== undefined && (version.major > newest.major || (version.major === newest.major && version.minor > newest.minor))) return newest;
  return undefined;
}

/**
 * What `version` reads, or undefined when the table cannot say (an older line than the table
 * knows, or no table). A release newer than every row reads what the newest row reads.
 */
export function readableFormats(kind: PremigrateScriptKind, version: ImageVersion | undefined): ReadableFormats | undefined {
  return ruleFor(kind, version)?.reads;
}

/**
 * The big-format version `version` writes by default, or undefined when the table cannot say.
 * @internal Test seam: exported for the tests only (knip --production skips @internal).
 */
export function writtenFormat(kind: PremigrateScriptKind, version: ImageVersion | undefined): string | undefined {
  return ruleFor(kind, version)?.writes;
}

/**
 * Orders two format versions as Cassandra does (string order); -1, 0 or 1.
 * @internal Test seam: exported for the tests only (knip --production skips @internal).
 */
export function compareFormats(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The env form the script reads: `big:ma..oa bti:da..da`. */
export function formatsEnvValue(reads: ReadableFormats): string {
  const one = (family: string, r: FormatRange): string => `${family}:${r.oldest}..${r.newest}`;
  return reads.bti === undefined ? one('big', reads.big) : `${one('big', reads.big)} ${one('bti', reads.bti)}`;
}
