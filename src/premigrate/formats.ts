import type { PremigrateScriptKind } from '../profiles/types.js';
import type { ImageVersion } from '../profiles/version.js';

/**
 * The newest SSTable format of each family a release reads (DESIGN §4a). Big-format versions
 * are two letters that order the releases (`ma` < ... < `me` < `na` < `nb` < `oa`); `bti`
 * (`da`) is 5.0's trie-indexed family. A release reads older formats, never newer ones.
 */
export interface ReadableFormats {
  readonly big: string;
  readonly bti?: string;
}

/** One release line (major.minor), from a patch release on. Later rules of a line win. */
interface FormatRule {
  readonly major: number;
  readonly minor: number;
  readonly fromPatch?: number;
  readonly reads: ReadableFormats;
}

/**
 * Cassandra: `mc` from 3.0.8 (and 3.11.0), `md` from 3.0.18 and 3.11.4, `me` from 3.0.25 and
 * 3.11.11; 4.0 and 4.1 write `nb`; 5.0 writes `nb` in its default storage compatibility mode
 * (CASSANDRA_4) and `oa` (big) or `da` (bti) once that mode is NONE.
 */
const CASSANDRA_FORMATS: readonly FormatRule[] = [
  { major: 2, minor: 1, reads: { big: 'ka' } },
  { major: 2, minor: 2, reads: { big: 'la' } },
  { major: 3, minor: 0, reads: { big: 'mb' } },
  { major: 3, minor: 0, fromPatch: 8, reads: { big: 'mc' } },
  { major: 3, minor: 0, fromPatch: 18, reads: { big: 'md' } },
  { major: 3, minor: 0, fromPatch: 25, reads: { big: 'me' } },
  { major: 3, minor: 11, reads: { big: 'mc' } },
  { major: 3, minor: 11, fromPatch: 4, reads: { big: 'md' } },
  { major: 3, minor: 11, fromPatch: 11, reads: { big: 'me' } },
  { major: 4, minor: 0, reads: { big: 'nb' } },
  { major: 4, minor: 1, reads: { big: 'nb' } },
  { major: 5, minor: 0, reads: { big: 'oa', bti: 'da' } },
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

/**
 * What `version` reads, or undefined when the table cannot say (an older line than the table
 * knows, or no table). A release newer than every row reads at least what the newest row reads.
 */
export function readableFormats(kind: PremigrateScriptKind, version: ImageVersion | undefined): ReadableFormats | undefined {
  if (version === undefined) return undefined;
  const patch = version.parts[2] ?? 0;
  let found: ReadableFormats | undefined;
  let newest: FormatRule | undefined;
  for (const rule of TABLES[kind]) {
    newest = rule;
    if (rule.major === version.major && rule.minor === version.minor && patch >= (rule.fromPatch ?? 0)) found = rule.reads;
  }
  if (found !== undefined) return found;
  if (newest !== undefined && (version.major > newest.major || (version.major === newest.major && version.minor > newest.minor))) return newest.reads;
  return undefined;
}

/** The env form the script reads: `big:oa bti:da`. */
export function formatsEnvValue(reads: ReadableFormats): string {
  return reads.bti === undefined ? `big:${reads.big}` : `big:${reads.big} bti:${reads.bti}`;
}
