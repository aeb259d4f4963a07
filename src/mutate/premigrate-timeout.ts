import { ANNOTATION_PREMIGRATE_TIMEOUT } from '../contract.js';

export const DEFAULT_PREMIGRATE_TIMEOUT_SECONDS = 600;
export const MIN_PREMIGRATE_TIMEOUT_SECONDS = 30;
export const MAX_PREMIGRATE_TIMEOUT_SECONDS = 86400;

export interface PremigrateTimeout {
  readonly seconds: number;
  /** Set when the annotation was not used as written. */
  readonly problem?: string;
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { '': 1, s: 1, m: 60, h: 3600 };
const TIMEOUT_RE = /^(\d{1,9})([smh]?)$/;

/**
 * Reads `gossip-safe.io/premigrate-timeout`: whole seconds (`900`) or with a unit (`900s`,
 * `15m`, `1h`). Never throws and never denies a pod: an unreadable value falls back to the
 * default, and a value outside 30 s..24 h is clamped; either way `problem` says so.
 */
export function parsePremigrateTimeout(raw: string | undefined): PremigrateTimeout {
  if (raw === undefined) return { seconds: DEFAULT_PREMIGRATE_TIMEOUT_SECONDS };
  const m = TIMEOUT_RE.exec(raw.trim());
  if (m === null) {
    return {
      seconds: DEFAULT_PREMIGRATE_TIMEOUT_SECONDS,
      problem: `${ANNOTATION_PREMIGRATE_TIMEOUT}=${JSON.stringify(raw)} is not a duration (use e.g. 900, 900s, 15m, 1h); using the default ${DEFAULT_PREMIGRATE_TIMEOUT_SECONDS}s`,
    };
  }
  const seconds = Number(m[1]) * (UNIT_SECONDS[m[2] ?? ''] ?? 1);
  const bounded = Math.min(MAX_PREMIGRATE_TIMEOUT_SECONDS, Math.max(MIN_PREMIGRATE_TIMEOUT_SECONDS, seconds));
  if (bounded !== seconds) {
    return {
      seconds: bounded,
      problem: `${ANNOTATION_PREMIGRATE_TIMEOUT}=${JSON.stringify(raw)} is outside ${MIN_PREMIGRATE_TIMEOUT_SECONDS}s..${MAX_PREMIGRATE_TIMEOUT_SECONDS}s; using ${bounded}s`,
    };
  }
  return { seconds };
}
