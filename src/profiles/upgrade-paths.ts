import { compileImagePattern, parseImageRef } from './image.js';
import { reachesLevel, VERSION_LEVELS } from './version-policy.js';
import { compareVersions, parseTagVersion, versionDifference, type ImageVersion } from './version.js';
import { PATH_VERDICTS, type ConsecutiveSeries, type PathVerdict, type Profile, type UpgradePathRow, type UpgradeTable, type VersionLevel } from './types.js';

/**
 * Upgrade-path tables (data in upgrade-path-data.ts, or a profile's `upgradePaths` in the config
 * file): the verdict on one version change. Pure.
 */
export interface PathJudgement {
  readonly verdict: PathVerdict;
  readonly direction: 'up' | 'down';
  readonly product: string;
  readonly why: string;
  readonly source: string;
  readonly via?: string;
  readonly fix?: string;
}

function prefixOf(prefix: string, version: ImageVersion): boolean {
  const p = parseTagVersion(prefix);
  return p !== undefined && p.parts.every((n, i) => version.parts[i] === n);
}

/** The table for an image: the first whose `images` match it (or that has none). */
export function tableFor(profile: Profile, image: string): UpgradeTable | undefined {
  const ref = parseImageRef(image);
  return (profile.upgradePaths ?? []).find((t) => (t.images ?? []).length === 0 || (t.images ?? []).some((p) => compileImagePattern(p).matches(ref)));
}

function rowMatches(row: UpgradePathRow, direction: 'up' | 'down', from: ImageVersion, to: ImageVersion): boolean {
  if (row.direction !== direction) return false;
  if (row.from !== undefined && !prefixOf(row.from, from)) return false;
  if (row.to !== undefined && !prefixOf(row.to, to)) return false;
  const difference = versionDifference(from, to);
  return row.across === undefined || (difference !== 'none' && reachesLevel(difference, row.across));
}

/** The index of the series a version belongs to (longest matching prefix), or -1. */
function seriesIndex(series: readonly string[], version: ImageVersion): number {
  let best = -1;
  let bestLength = -1;
  series.forEach((s, i) => {
    const p = parseTagVersion(s);
    if (p !== undefined && prefixOf(s, version) && p.parts.length > bestLength) {
      best = i;
      bestLength = p.parts.length;
    }
  });
  return best;
}

function consecutiveVerdict(c: ConsecutiveSeries, product: string, direction: 'up' | 'down', from: ImageVersion, to: ImageVersion): PathJudgement | undefined {
  for (const series of c.series) {
    const a = seriesIndex(series, from);
    const b = seriesIndex(series, to);
    if (a < 0 || b < 0) continue;
    const step = c.maxStep ?? 1;
    const base = { direction, product, why: c.why, source: c.source };
    if (direction === 'up') {
      if (b - a <= step) return { ...base, verdict: 'allow' };
      return { ...base, verdict: 'deny', via: series[a + step] ?? '' };
    }
    if (a === b) return undefined;
    if (a - b === 1) {
      const verdict = c.rollback ?? 'deny';
      return { ...base, verdict, why: `${c.why}; a rollback to the previous release (${series[b]}) follows that upgrade guide's rollback procedure` };
    }
    return { ...base, verdict: 'deny', fix: `roll back one release at a time (to ${series[a - 1]} first)` };
  }
  return undefined;
}

/**
 * What the profile's table for the new image says about `from -> to`: the first matching row,
 * else the consecutive-series rule, else nothing (no verdict: the other rules decide).
 * No verdict either when the two images belong to different tables (Elasticsearch to OpenSearch:
 * their versions do not compare).
 */
export function judgePath(profile: Profile, oldImage: string, newImage: string, from: ImageVersion, to: ImageVersion): PathJudgement | undefined {
  const table = tableFor(profile, newImage);
  if (table === undefined || tableFor(profile, oldImage) !== table) return undefined;
  const order = compareVersions(from, to);
  if (order === 0) return undefined;
  const direction = order < 0 ? 'up' : 'down';
  const row = table.rows.find((r) => rowMatches(r, direction, from, to));
  if (row !== undefined) {
    return {
      verdict: row.verdict,
      direction,
      product: table.product,
      why: row.why,
      source: row.source,
      ...(row.via === undefined ? {} : { via: row.via }),
      ...(row.fix === undefined ? {} : { fix: row.fix }),
    };
  }
  return table.consecutive === undefined ? undefined : consecutiveVerdict(table.consecutive, table.product, direction, from, to);
}

/** The way to take, one clause: "upgrade to 7.17 first" and/or the row's fix. */
export function pathAdvice(j: PathJudgement): string {
  return [j.via === undefined ? undefined : `upgrade to ${j.via} first`, j.fix].filter((s): s is string => s !== undefined).join('; ');
}

// ---------------------------------------------------------------- the config file

type Raw = Record<string, unknown>;
const isRecord = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
type Fail = (field: string, message: string) => never;

const ROW_FIELDS = ['direction', 'from', 'to', 'across', 'verdict', 'via', 'fix', 'why', 'source', 'example'] as const;
const TABLE_FIELDS = ['product', 'images', 'rows', 'consecutive'] as const;
const SERIES_FIELDS = ['series', 'maxStep', 'rollback', 'why', 'source'] as const;

function onlyFields(field: string, raw: Raw, allowed: readonly string[], fail: Fail): void {
  for (const key of Object.keys(raw)) if (!allowed.includes(key)) fail(`${field}.${key}`, `unknown field (expected one of ${allowed.join(', ')})`);
}

function text(field: string, v: unknown, fail: Fail): string {
  if (typeof v !== 'string' || v.trim() === '') fail(field, `must be a non-empty string, got ${JSON.stringify(v) ?? 'nothing'}`);
  return v;
}

/** A quoted version prefix: YAML reads an unquoted 3.10 as the number 3.1. */
function version(field: string, v: unknown, fail: Fail): string {
  const parsed = typeof v === 'string' ? parseTagVersion(v) : undefined;
  if (parsed === undefined || parsed.text !== String(v).replace(/^v/, '')) fail(field, `must be a quoted version such as "4" or "3.11", got ${JSON.stringify(v) ?? 'nothing'}`);
  return parsed.text;
}

function oneOf<T extends string>(field: string, v: unknown, allowed: readonly T[], fail: Fail): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) fail(field, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(v) ?? 'nothing'}`);
  return v as T;
}

function readRow(field: string, raw: unknown, fail: Fail): UpgradePathRow {
  if (!isRecord(raw)) fail(field, `must be a mapping {direction, from?, to?, across?, verdict, via?, fix?, why, source}, got ${JSON.stringify(raw)}`);
  onlyFields(field, raw, ROW_FIELDS, fail);
  const row: { -readonly [K in keyof UpgradePathRow]: UpgradePathRow[K] } = {
    direction: oneOf(`${field}.direction`, raw['direction'], ['up', 'down'] as const, fail),
    verdict: oneOf(`${field}.verdict`, raw['verdict'], PATH_VERDICTS, fail),
    why: text(`${field}.why`, raw['why'], fail),
    source: text(`${field}.source`, raw['source'], fail),
  };
  if (raw['from'] !== undefined) row.from = version(`${field}.from`, raw['from'], fail);
  if (raw['to'] !== undefined) row.to = version(`${field}.to`, raw['to'], fail);
  if (raw['across'] !== undefined) row.across = oneOf<VersionLevel>(`${field}.across`, raw['across'], VERSION_LEVELS, fail);
  if (raw['via'] !== undefined) row.via = version(`${field}.via`, raw['via'], fail);
  if (raw['fix'] !== undefined) row.fix = text(`${field}.fix`, raw['fix'], fail);
  const example = raw['example'];
  if (example !== undefined) {
    if (!Array.isArray(example) || example.length !== 2) fail(`${field}.example`, `must be two quoted versions [old, new], got ${JSON.stringify(example)}`);
    row.example = [version(`${field}.example[0]`, example[0], fail), version(`${field}.example[1]`, example[1], fail)];
  }
  return row;
}

function readSeries(field: string, raw: unknown, fail: Fail): ConsecutiveSeries {
  if (!isRecord(raw)) fail(field, `must be a mapping {series, maxStep?, rollback?, why, source}, got ${JSON.stringify(raw)}`);
  onlyFields(field, raw, SERIES_FIELDS, fail);
  const lists = raw['series'];
  if (!Array.isArray(lists) || lists.length === 0) fail(`${field}.series`, 'must be a non-empty list of version lists in upgrade order');
  const series = lists.map((list: unknown, i) => {
    const f = `${field}.series[${i}]`;
    if (!Array.isArray(list) || list.length < 2) fail(f, 'must list at least two versions in upgrade order');
    const versions = list.map((v: unknown, j) => version(`${f}[${j}]`, v, fail));
    versions.forEach((v, j) => {
      const prev = versions[j - 1];
      if (prev !== undefined && compareVersions(parseTagVersion(prev)!, parseTagVersion(v)!) >= 0) fail(`${f}[${j}]`, `must be higher than ${prev}`);
    });
    return versions;
  });
  const out: { -readonly [K in keyof ConsecutiveSeries]: ConsecutiveSeries[K] } = {
    series,
    why: text(`${field}.why`, raw['why'], fail),
    source: text(`${field}.source`, raw['source'], fail),
  };
  const step = raw['maxStep'];
  if (step !== undefined) {
    if (typeof step !== 'number' || !Number.isInteger(step) || step < 1 || step > 100) fail(`${field}.maxStep`, `must be a whole number from 1 to 100, got ${JSON.stringify(step)}`);
    out.maxStep = step;
  }
  if (raw['rollback'] !== undefined) out.rollback = oneOf(`${field}.rollback`, raw['rollback'], PATH_VERDICTS, fail);
  return out;
}

/**
 * Reads a profile's `upgradePaths` (replacing the built-in tables when given; `[]` removes
 * them). `fail` throws with the field named.
 */
export function readUpgradePaths(field: string, raw: unknown, fail: Fail): UpgradeTable[] {
  if (!Array.isArray(raw)) fail(field, `must be a list of tables {product, images?, rows, consecutive?}, got ${JSON.stringify(raw)}`);
  return raw.map((t: unknown, i) => {
    const f = `${field}[${i}]`;
    if (!isRecord(t)) fail(f, `must be a mapping {product, images?, rows, consecutive?}, got ${JSON.stringify(t)}`);
    onlyFields(f, t, TABLE_FIELDS, fail);
    const rows = t['rows'] ?? [];
    if (!Array.isArray(rows)) fail(`${f}.rows`, `must be a list of rows, got ${JSON.stringify(rows)}`);
    const images = t['images'];
    if (images !== undefined && (!Array.isArray(images) || !images.every((s) => typeof s === 'string' && s.trim() !== ''))) {
      fail(`${f}.images`, `must be a list of image patterns, got ${JSON.stringify(images)}`);
    }
    return {
      product: text(`${f}.product`, t['product'], fail),
      ...(images === undefined ? {} : { images: images as string[] }),
      rows: rows.map((r: unknown, j) => readRow(`${f}.rows[${j}]`, r, fail)),
      ...(t['consecutive'] === undefined ? {} : { consecutive: readSeries(`${f}.consecutive`, t['consecutive'], fail) }),
    };
  });
}

// ---------------------------------------------------------------- docs/upgrade-paths.md

const cell = (s: string): string => s.replace(/\|/g, '\\|');

function rowChange(r: UpgradePathRow): string {
  const from = r.from === undefined ? 'any' : `${r.from}.x`;
  const to = r.to === undefined ? 'any' : `${r.to}.x`;
  const across = r.across === undefined ? '' : ` (${r.across} or more)`;
  return `${r.direction === 'up' ? 'upgrade' : 'downgrade'} ${from} -> ${to}${across}`;
}

/** The page docs/upgrade-paths.md, from the profiles' tables (`npm run docs:paths` writes it; a test keeps it equal). */
export function renderUpgradePathsPage(profiles: readonly Profile[]): string {
  const out = [
    '# Upgrade paths',
    '',
    '<!-- Generated from src/profiles/upgrade-path-data.ts by `npm run docs:paths`; do not edit. -->',
    '',
    'gossip-safe judges a datastore version change by these tables (rules `unsupported-upgrade`,',
    '`unsupported-downgrade`, `risky-version-change`; see the rules table in docs/contract.md). `deny` is a denial',
    'in enforce mode and a warning in warn mode; `warn` is always a warning. The first matching row',
    'wins; then the consecutive release lines; a change no row covers is judged by the other rules',
    'only. `gossip-safe.io/allow-downgrade: "true"` turns a denied downgrade into a warning that',
    'repeats what it risks. Operators replace a profile\'s tables with `upgradePaths` in the profiles',
    'config file (same fields as below; versions quoted).',
  ];
  for (const p of profiles) {
    for (const t of p.upgradePaths ?? []) {
      out.push('', `## ${t.product} (profile \`${p.name}\`)`, '');
      if ((t.images ?? []).length > 0) out.push(`Images: ${(t.images ?? []).map((i) => `\`${i}\``).join(', ')}.`, '');
      if (t.rows.length > 0) {
        out.push('| change | example | verdict | path to take | why | source |', '|---|---|---|---|---|---|');
        for (const r of t.rows) {
          const advice = [r.via === undefined ? undefined : `upgrade to ${r.via} first`, r.fix].filter((s) => s !== undefined).join('; ');
          const example = r.example === undefined ? '' : `${r.example[0]} -> ${r.example[1]}`;
          out.push(`| ${rowChange(r)} | ${example} | ${r.verdict} | ${cell(advice)} | ${cell(r.why)} | ${cell(r.source)} |`);
        }
      }
      const c = t.consecutive;
      if (c !== undefined) {
        out.push('', `Consecutive release lines (an upgrade may advance at most ${c.maxStep ?? 1}; a rollback by one line: ${c.rollback ?? 'deny'}, by more: deny):`, '');
        for (const s of c.series) out.push(`- ${s.join(' -> ')}`);
        out.push('', `Why: ${c.why}. Source: ${c.source}.`);
      }
    }
  }
  return `${out.join('\n')}\n`;
}
