import { parseImageRef, type ImageRef } from './image.js';
import { memoizeString } from './memo.js';

/**
 * The datastore version an image reference carries, read from its tag:
 * an optional `v`, then up to four dot-separated numbers; anything after them (`-jammy`, `-0`,
 * `-ubi`, `-ent`, `-management-api`) is a build flavour and does not change the version.
 * Digest-only references, untagged ones (implicitly `latest`) and word tags carry no version.
 */
export interface ImageVersion {
  /** The numbers, e.g. [3, 11, 16]. Always at least one. */
  readonly parts: readonly number[];
  /** The numbers joined with dots, e.g. "3.11.16". */
  readonly text: string;
  readonly major: number;
  readonly minor: number;
}

const VERSION_RE = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:$|[-+_.][0-9A-Za-z.+_-]*$)/;

export function parseTagVersion(tag: string | undefined): ImageVersion | undefined {
  return tag === undefined ? undefined : parseTag(tag);
}

/** Memoized: every review asks about the same few tags. */
const parseTag = memoizeString((tag: string): ImageVersion | undefined => {
  const m = VERSION_RE.exec(tag);
  if (m === null) return undefined;
  const parts = Object.freeze(m.slice(1).filter((p): p is string => p !== undefined).map(Number));
  return { parts, text: parts.join('.'), major: parts[0] ?? 0, minor: parts[1] ?? 0 };
});

export function imageVersion(image: string | ImageRef): ImageVersion | undefined {
  const ref = typeof image === 'string' ? parseImageRef(image) : image;
  return parseTagVersion(ref.tag);
}

/** Compares numerically, a missing part counting as 0 (so "4.1" equals "4.1.0"). */
export function compareVersions(a: ImageVersion, b: ImageVersion): number {
  const n = Math.max(a.parts.length, b.parts.length);
  for (let i = 0; i < n; i++) {
    const d = (a.parts[i] ?? 0) - (b.parts[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** The most significant part in which two versions differ. */
export function versionDifference(a: ImageVersion, b: ImageVersion): 'none' | 'major' | 'minor' | 'patch' {
  if (a.major !== b.major) return 'major';
  if (a.minor !== b.minor) return 'minor';
  return compareVersions(a, b) === 0 ? 'none' : 'patch';
}
