import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { BUILTIN_PROFILES } from './builtin.js';
import { createProfileSet } from './profile-set.js';
import { readUpgradePaths } from './upgrade-paths.js';
import { readVersionPolicy } from './version-policy.js';
import type { LeaveRule, NodeNameMode, PremigrationPolicy, Profile, ProfileSet } from './types.js';
import { PREMIGRATE_SCRIPT_KINDS } from './types.js';

/**
 * The profiles config file (a mounted ConfigMap):
 *
 *   profiles:
 *     serf:                       # a built-in: only the fields given change
 *       extraImages: [mycorp/chat-app]
 *     mygossip:                   # a new profile: every field is required
 *       images: [mycorp/mygossip]
 *       nodeNameMode: always
 *       leave: [{ command: [mygossip, leave] }]
 *       minGraceSeconds: 20
 *       premigration: not-applicable
 *       dataDirs: []
 *     cassandra:
 *       migrateOn: minor          # optional: version difference needing pre-migration (default major)
 *       upgradePath: ["3", "4", "5"]  # optional: supported upgrade steps; skipping one is warned
 *       upgradePaths: [...]       # optional: replaces the upgrade-path tables (docs/upgrade-paths.md)
 *       operatorManaged: inject   # optional: also inject into operators' workloads (default leave-alone)
 *       premigrateScript: none    # optional: cassandra | scylla | none
 *
 * New profiles are matched before the built-ins, so a config can claim an image.
 * Any mistake throws a ProfileConfigError naming the file and the field.
 */
export class ProfileConfigError extends Error {
  override readonly name = 'ProfileConfigError';
}

const NODE_NAME_MODES: readonly NodeNameMode[] = ['always', 'never', 'unless-persistent-data'];
const PREMIGRATION: readonly PremigrationPolicy[] = ['required', 'optional', 'not-applicable'];
const PROFILE_FIELDS = [
  'images',
  'extraImages',
  'nodeNameMode',
  'persistentDataPath',
  'leave',
  'minGraceSeconds',
  'premigration',
  'dataDirs',
  // Version-change policy (version-policy.ts):
  'migrateOn',
  'upgradePath',
  'upgradePaths',
  // Operators' workloads (operators.ts): leave-alone (default) or inject.
  'operatorManaged',
  // Pre-migration script (src/premigrate/):
  'premigrateScript',
] as const;
const NAME_RE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

type Raw = Record<string, unknown>;

function isRecord(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  return v === undefined ? 'nothing' : JSON.stringify(v);
}

class FieldReader {
  constructor(private readonly where: string) {}

  fail(field: string, message: string): never {
    throw new ProfileConfigError(`${this.where}: ${field}: ${message}`);
  }

  stringList(field: string, v: unknown, allowEmpty = true): string[] {
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string' && s.trim() !== '')) {
      this.fail(field, `must be a list of non-empty strings, got ${describe(v)}`);
    }
    if (!allowEmpty && v.length === 0) this.fail(field, 'must not be empty');
    return v as string[];
  }

  oneOf<T extends string>(field: string, v: unknown, allowed: readonly T[]): T {
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
      this.fail(field, `must be one of ${allowed.join(', ')}, got ${describe(v)}`);
    }
    return v as T;
  }

  seconds(field: string, v: unknown): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 86400) {
      this.fail(field, `must be a whole number of seconds from 0 to 86400, got ${describe(v)}`);
    }
    return v;
  }

  absolutePath(field: string, v: unknown): string {
    if (typeof v !== 'string' || !v.startsWith('/')) this.fail(field, `must be an absolute path, got ${describe(v)}`);
    return v;
  }

  leave(field: string, v: unknown): LeaveRule[] {
    if (!Array.isArray(v)) this.fail(field, `must be a list of {images?, command}, got ${describe(v)}`);
    return v.map((rule, i) => {
      const f = `${field}[${i}]`;
      if (!isRecord(rule)) this.fail(f, `must be a mapping with a command, got ${describe(rule)}`);
      for (const key of Object.keys(rule)) {
        if (key !== 'images' && key !== 'command') this.fail(`${f}.${key}`, 'unknown field (expected images, command)');
      }
      return {
        images: rule['images'] === undefined ? [] : this.stringList(`${f}.images`, rule['images']),
        command: this.stringList(`${f}.command`, rule['command'], false),
      };
    });
  }
}

function readProfile(name: string, raw: unknown, base: Profile | undefined, r: FieldReader): Profile {
  const field = `profiles.${name}`;
  if (!NAME_RE.test(name)) r.fail(field, 'a profile name must be lowercase letters, digits and dashes');
  if (!isRecord(raw)) r.fail(field, `must be a mapping of profile fields, got ${describe(raw)}`);
  for (const key of Object.keys(raw)) {
    if (!(PROFILE_FIELDS as readonly string[]).includes(key)) {
      r.fail(`${field}.${key}`, `unknown field (expected one of ${PROFILE_FIELDS.join(', ')})`);
    }
  }
  const required = (key: (typeof PROFILE_FIELDS)[number]): unknown => {
    const v = raw[key];
    if (v === undefined && base === undefined) r.fail(`${field}.${key}`, `is required for a new profile`);
    return v;
  };
  const images = required('images');
  const extra = raw['extraImages'];
  const nodeNameMode = required('nodeNameMode');
  const leave = required('leave');
  const grace = required('minGraceSeconds');
  const premigration = required('premigration');
  const dataDirs = required('dataDirs');
  const persistentDataPath = raw['persistentDataPath'];

  const profile: Profile = {
    name,
    images: [
      ...(images === undefined ? (base?.images ?? []) : r.stringList(`${field}.images`, images)),
      ...(extra === undefined ? [] : r.stringList(`${field}.extraImages`, extra)),
    ],
    nodeNameMode:
      nodeNameMode === undefined ? base!.nodeNameMode : r.oneOf(`${field}.nodeNameMode`, nodeNameMode, NODE_NAME_MODES),
    leave: leave === undefined ? (base?.leave ?? []) : r.leave(`${field}.leave`, leave),
    minGraceSeconds: grace === undefined ? base!.minGraceSeconds : r.seconds(`${field}.minGraceSeconds`, grace),
    premigration:
      premigration === undefined ? base!.premigration : r.oneOf(`${field}.premigration`, premigration, PREMIGRATION),
    dataDirs: dataDirs === undefined ? (base?.dataDirs ?? []) : r.stringList(`${field}.dataDirs`, dataDirs),
  };
  const dataPath =
    persistentDataPath === undefined
      ? base?.persistentDataPath
      : r.absolutePath(`${field}.persistentDataPath`, persistentDataPath);
  if (dataPath !== undefined) Object.assign(profile, { persistentDataPath: dataPath });
  Object.assign(profile, readVersionPolicy(field, raw, base, (f, m) => r.fail(f, m)));
  const paths = raw['upgradePaths'] === undefined ? base?.upgradePaths : readUpgradePaths(`${field}.upgradePaths`, raw['upgradePaths'], (f, m) => r.fail(f, m));
  if (paths !== undefined) Object.assign(profile, { upgradePaths: paths });
  const operatorManaged = raw['operatorManaged'] === undefined ? base?.operatorManaged : r.oneOf(`${field}.operatorManaged`, raw['operatorManaged'], ['leave-alone', 'inject'] as const);
  if (operatorManaged !== undefined) Object.assign(profile, { operatorManaged });
  // premigrateScript: optional for every profile; `none` removes a built-in's script.
  const rawScript = raw['premigrateScript'];
  const script = rawScript === undefined ? base?.premigrateScript : readPremigrateScript(`${field}.premigrateScript`, rawScript, r);
  if (script !== undefined) Object.assign(profile, { premigrateScript: script });
  if (profile.images.length === 0) r.fail(`${field}.images`, 'a profile needs at least one image pattern');
  if (profile.nodeNameMode === 'unless-persistent-data' && profile.persistentDataPath === undefined) {
    r.fail(`${field}.persistentDataPath`, 'is required when nodeNameMode is unless-persistent-data');
  }
  for (const [i, d] of profile.dataDirs.entries()) r.absolutePath(`${field}.dataDirs[${i}]`, d);
  return profile;
}

function readPremigrateScript(field: string, v: unknown, r: FieldReader): Profile['premigrateScript'] {
  const kind = r.oneOf(field, v, [...PREMIGRATE_SCRIPT_KINDS, 'none'] as const);
  return kind === 'none' ? undefined : kind;
}

/** Merges a parsed config document over the built-in profiles. Throws ProfileConfigError. */
export function profilesFromConfig(doc: unknown, where: string, builtins: readonly Profile[] = BUILTIN_PROFILES): Profile[] {
  const r: FieldReader = new FieldReader(where);
  if (doc === null || doc === undefined) return [...builtins];
  if (!isRecord(doc)) r.fail('(top level)', `must be a mapping with a "profiles" key, got ${describe(doc)}`);
  for (const key of Object.keys(doc)) {
    if (key !== 'profiles') r.fail(key, 'unknown field (expected profiles)');
  }
  const profiles = doc['profiles'];
  if (profiles === undefined || profiles === null) return [...builtins];
  if (!isRecord(profiles)) r.fail('profiles', `must be a mapping of profile name to fields, got ${describe(profiles)}`);
  const byName = new Map(builtins.map((p) => [p.name, p] as const));
  const added: Profile[] = [];
  for (const [name, raw] of Object.entries(profiles)) {
    const base = byName.get(name);
    const profile = readProfile(name, raw, base, r);
    if (base === undefined) added.push(profile);
    byName.set(name, profile);
  }
  const overridden = builtins.map((b) => byName.get(b.name) ?? b);
  return [...added, ...overridden];
}

/** Reads and validates a profiles config file. Throws ProfileConfigError with a one-line reason. */
export function loadProfileSet(path: string | undefined): ProfileSet {
  if (path === undefined || path === '') return createProfileSet(BUILTIN_PROFILES);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ProfileConfigError(`${path}: cannot read profiles config: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    const detail = err instanceof YAMLParseError ? err.message.split('\n')[0] : String(err);
    throw new ProfileConfigError(`${path}: not valid YAML: ${detail}`);
  }
  return createProfileSet(profilesFromConfig(doc, path));
}
