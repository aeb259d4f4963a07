import { compileImagePattern, parseImageRef, type ImagePattern, type ImageRef } from './image.js';
import { memoizeString } from './memo.js';
import { compareVersions, imageVersion, parseTagVersion, type ImageVersion } from './version.js';
import type { LeaveRule, Profile, ProfileSet } from './types.js';

interface CompiledSet {
  readonly profiles: readonly CompiledProfile[];
  /** The profile of each image reference seen (memoized, bounded; see memo.ts). */
  readonly forImage: (image: string) => Profile | undefined;
}

interface CompiledProfile {
  readonly profile: Profile;
  readonly patterns: readonly ImagePattern[];
  readonly leave: readonly { readonly rule: LeaveRule; readonly patterns: readonly ImagePattern[] }[];
}

const compiled = new WeakMap<ProfileSet, CompiledSet>();

/** Freezes profiles into a ProfileSet and compiles their image patterns once. */
export function createProfileSet(profiles: readonly Profile[]): ProfileSet {
  const list = Object.freeze(profiles.map((p) => deepFreeze(structuredClone(p))));
  const byName = new Map(list.map((p) => [p.name, p] as const));
  const set: ProfileSet = Object.freeze({ list, byName });
  const entries = list.map((profile) => ({
    profile,
    patterns: profile.images.map(compileImagePattern),
    leave: profile.leave.map((rule) => ({ rule, patterns: rule.images.map(compileImagePattern) })),
  }));
  const match = (ref: ImageRef): Profile | undefined => entries.find((c) => c.patterns.some((p) => p.matches(ref)))?.profile;
  // Profiles are frozen, so the memo never hands out a value a caller could change.
  compiled.set(set, { profiles: entries, forImage: memoizeString((image) => match(parseImageRef(image))) });
  return set;
}

function compiledSet(set: ProfileSet): CompiledSet {
  const c = compiled.get(set);
  if (c === undefined) throw new Error('ProfileSet was not made by createProfileSet');
  return c;
}
function compiledOf(set: ProfileSet): readonly CompiledProfile[] {
  return compiledSet(set).profiles;
}

/** The first profile whose image patterns match the image, if any. */
export function profileForImage(set: ProfileSet, image: string | ImageRef): Profile | undefined {
  if (typeof image === 'string') return compiledSet(set).forImage(image);
  return compiledOf(set).find((c) => c.patterns.some((p) => p.matches(image)))?.profile;
}

/** The leave rule for this profile and image, or undefined when the profile has none. */
export function leaveRuleFor(set: ProfileSet, profile: Profile, image: string): LeaveRule | undefined {
  // Patterns were compiled once in createProfileSet; never compile on the request path.
  const entry = compiledOf(set).find((c) => c.profile.name === profile.name);
  if (entry === undefined) return undefined;
  const ref = parseImageRef(image);
  const version = imageVersion(ref);
  return entry.leave.find(
    (r) => (r.patterns.length === 0 || r.patterns.some((p) => p.matches(ref))) && inRanges(r.rule, version),
  )?.rule;
}

function inRanges(rule: LeaveRule, version: ImageVersion | undefined): boolean {
  if (rule.versions === undefined) return true;
  if (version === undefined) return false;
  return rule.versions.some(({ from, below }) => {
    const lo = parseTagVersion(from);
    const hi = parseTagVersion(below);
    return lo !== undefined && hi !== undefined && compareVersions(version, lo) >= 0 && compareVersions(version, hi) < 0;
  });
}

/**
 * The leave command for this profile and image, or undefined when the profile has none.
 * @internal Test seam: exported for the tests only (knip --production skips @internal).
 */
export function leaveCommandFor(set: ProfileSet, profile: Profile, image: string): readonly string[] | undefined {
  return leaveRuleFor(set, profile, image)?.command;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
