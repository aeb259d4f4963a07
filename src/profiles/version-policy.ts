import type { Profile, VersionLevel } from './types.js';
import { compareVersions, parseTagVersion, type ImageVersion } from './version.js';

/**
 * A profile's version-change policy, as data: which version differences need the pre-migration
 * step (`migrateOn`) and which upgrade path the datastore supports (`upgradePath`).
 */
export const VERSION_LEVELS: readonly VersionLevel[] = ['major', 'minor', 'patch'];

const RANK: Readonly<Record<VersionLevel | 'none', number>> = { none: 0, patch: 1, minor: 2, major: 3 };

/** The smallest difference that needs pre-migration for this profile (default `major`). */
export function migrationLevel(profile: Profile): VersionLevel {
  return profile.migrateOn ?? 'major';
}

/** Whether a difference (`versionDifference`) is at least `level`. */
export function reachesLevel(difference: VersionLevel | 'none', level: VersionLevel): boolean {
  return RANK[difference] >= RANK[level];
}

function isPrefix(prefix: ImageVersion, version: ImageVersion): boolean {
  return prefix.parts.every((p, i) => version.parts[i] === p);
}

/** The index of the path step a version belongs to (longest matching prefix), or -1. */
function stepOf(path: readonly ImageVersion[], version: ImageVersion): number {
  let best = -1;
  path.forEach((step, i) => {
    if (isPrefix(step, version) && (best < 0 || step.parts.length >= (path[best]?.parts.length ?? 0))) best = i;
  });
  return best;
}

/**
 * The upgrade-path steps an upgrade from `from` to `to` jumps over (empty when none, when it
 * is not an upgrade, or when either version is off the profile's path).
 */
export function skippedSteps(profile: Profile, from: ImageVersion, to: ImageVersion): string[] {
  const path = profile.upgradePath ?? [];
  const parsed = path.map((s) => parseTagVersion(s));
  if (parsed.some((v) => v === undefined) || compareVersions(from, to) >= 0) return [];
  const steps = parsed as ImageVersion[];
  const a = stepOf(steps, from);
  const b = stepOf(steps, to);
  if (a < 0 || b < 0 || b - a < 2) return [];
  return path.slice(a + 1, b);
}

/**
 * Reads `migrateOn` and `upgradePath` of one profile in the config file. `fail` throws with the
 * field named; absent fields inherit from the built-in profile being overridden.
 */
export function readVersionPolicy(
  field: string,
  raw: Readonly<Record<string, unknown>>,
  base: Profile | undefined,
  fail: (field: string, message: string) => never,
): Pick<Profile, 'migrateOn' | 'upgradePath'> {
  const out: { migrateOn?: VersionLevel; upgradePath?: readonly string[] } = {};
  const migrateOn = raw['migrateOn'] ?? base?.migrateOn;
  if (migrateOn !== undefined) {
    if (typeof migrateOn !== 'string' || !(VERSION_LEVELS as readonly string[]).includes(migrateOn)) {
      fail(`${field}.migrateOn`, `must be one of ${VERSION_LEVELS.join(', ')}, got ${JSON.stringify(migrateOn)}`);
    }
    out.migrateOn = migrateOn as VersionLevel;
  }
  const path = raw['upgradePath'] ?? base?.upgradePath;
  if (path !== undefined) {
    const f = `${field}.upgradePath`;
    if (!Array.isArray(path) || path.length < 2) {
      fail(f, `must be a list of at least two versions in upgrade order (e.g. ["3", "4", "5"]), got ${JSON.stringify(path)}`);
    }
    const versions = path.map((step: unknown, i) => {
      // Strings only: YAML reads an unquoted 3.10 as the number 3.1.
      const v = typeof step === 'string' ? parseTagVersion(step) : undefined;
      if (v === undefined) fail(`${f}[${i}]`, `must be a quoted version such as "4" or "3.11", got ${JSON.stringify(step)}`);
      return v;
    });
    versions.forEach((v, i) => {
      const prev = versions[i - 1];
      if (prev !== undefined && compareVersions(prev, v) >= 0) fail(`${f}[${i}]`, `must be higher than ${prev.text}`);
    });
    out.upgradePath = versions.map((v) => v.text);
  }
  return out;
}
