import { readFileSync } from 'node:fs';
import { BUILTIN_PROFILES } from '../src/profiles/builtin.js';
import { profilesFromConfig, ProfileConfigError } from '../src/profiles/config.js';
import { createProfileSet } from '../src/profiles/profile-set.js';
import type { Profile, UpgradePathRow, UpgradeTable } from '../src/profiles/types.js';
import { judgePath, renderUpgradePathsPage } from '../src/profiles/upgrade-paths.js';
import { parseTagVersion } from '../src/profiles/version.js';
import { datastoreStatefulSet, expectSameVerdict, judgeBoth } from './helpers/both-paths.js';
import { startTestWebhook, type TestWebhook } from './helpers/webhook-server.js';

/** One image per table, by profile and product: the tables' rows are tried on it. */
const REPOSITORY: Record<string, string> = {
  'Apache Cassandra': 'cassandra',
  Elasticsearch: 'docker.elastic.co/elasticsearch/elasticsearch',
  OpenSearch: 'opensearchproject/opensearch',
  etcd: 'quay.io/coreos/etcd',
  Consul: 'hashicorp/consul',
};
const repositoryOf = (t: UpgradeTable): string => REPOSITORY[t.product] ?? 'scylladb/scylla';
const tag = (repo: string, v: string): string => `${repo}:${repo.includes('etcd') ? 'v' : ''}${v.replace(/^v/, '')}`;

/** A row's version prefix covers a series line (absent: any). */
function startsWith(prefix: string | undefined, line: string | undefined): boolean {
  if (prefix === undefined) return true;
  if (line === undefined) return false;
  const p = prefix.split('.');
  return p.every((n, i) => line.split('.')[i] === n);
}

interface Case {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly verdict: 'allow' | 'warn' | 'deny';
  readonly via?: string;
}

const tables = BUILTIN_PROFILES.flatMap((p) => (p.upgradePaths ?? []).map((t) => ({ profile: p, table: t })));

function rowCases(): Case[] {
  return tables.flatMap(({ table }) =>
    table.rows.map((r: UpgradePathRow) => {
      if (r.example === undefined) throw new Error(`${table.product}: a built-in row has no example`);
      return { name: `${table.product}: ${r.direction} ${r.from ?? 'any'} -> ${r.to ?? 'any'} (${r.example.join(' -> ')})`, from: tag(repositoryOf(table), r.example[0]), to: tag(repositoryOf(table), r.example[1]), verdict: r.verdict, ...(r.via === undefined ? {} : { via: r.via }) };
    }),
  );
}

/** Each consecutive series: every allowed step, and every jump one line too far. */
function seriesCases(): Case[] {
  return tables.flatMap(({ table }) => {
    const c = table.consecutive;
    if (c === undefined) return [];
    const step = c.maxStep ?? 1;
    const repo = repositoryOf(table);
    return c.series.flatMap((s) =>
      s.flatMap((from, i) => {
        const out: Case[] = [];
        const ok = s[i + step];
        const far = s[i + step + 1];
        const at = (v: string) => tag(repo, `${v}.0`);
        if (ok !== undefined) out.push({ name: `${table.product}: ${from} -> ${ok} (consecutive)`, from: at(from), to: at(ok), verdict: 'allow' });
        // An explicit row (checked first) may allow the jump: ScyllaDB 2024.1 -> 2025.1.
        const byRow = table.rows.some((r) => r.direction === 'up' && startsWith(r.from, from) && startsWith(r.to, far));
        if (far !== undefined && !byRow) out.push({ name: `${table.product}: ${from} -> ${far} (skips ${ok})`, from: at(from), to: at(far), verdict: 'deny', via: ok! });
        return out;
      }),
    );
  });
}

describe('every built-in row', () => {
  test.each(tables.flatMap(({ profile, table }) => table.rows.map((row, i) => [`${table.product} row ${i}`, profile, table, row] as const)))(
    '%s: its example is decided by that very row (no earlier row shadows it)',
    (_name, profile: Profile, table: UpgradeTable, row: UpgradePathRow) => {
      const [a, b] = row.example!;
      const image = (v: string) => tag(repositoryOf(table), v);
      const j = judgePath(profile, image(a), image(b), parseTagVersion(a)!, parseTagVersion(b)!);
      expect(j).toMatchObject({ verdict: row.verdict, why: row.why, source: row.source, product: table.product });
      expect(row.source).not.toBe('');
    },
  );
});

describe('through the webhook and through check, the same verdict', () => {
  let webhook: TestWebhook;
  beforeAll(async () => {
    webhook = await startTestWebhook();
  });
  afterAll(async () => {
    await webhook.stop();
  });

  test.each([...rowCases(), ...seriesCases()].map((c) => [c.name, c] as const))('%s', async (_name, c: Case) => {
    const before = datastoreStatefulSet(c.from);
    const after = datastoreStatefulSet(c.to);
    // Upgrades carry their migration step, so only the path decides.
    (after as { spec: { template: { metadata: { annotations?: Record<string, string> } } } }).spec.template.metadata.annotations = { 'gossip-safe.io/migrate-from-image': c.from };
    const v = await judgeBoth(webhook, before, after);
    expectSameVerdict(v);
    const pathRules = v.check.findings.filter((f) => ['unsupported-upgrade', 'unsupported-downgrade', 'risky-version-change', 'major-downgrade'].includes(f.rule));
    if (c.verdict === 'deny') {
      expect(v.webhook.allowed).toBe(false);
      expect(pathRules.map((f) => f.level)).toContain('error');
      if (c.via !== undefined) expect(v.webhook.status?.message).toContain(`upgrade to ${c.via} first`);
    } else if (c.verdict === 'warn') {
      expect(pathRules.map((f) => [f.rule, f.level])).toEqual([['risky-version-change', 'warning']]);
    } else {
      expect(pathRules).toEqual([]);
    }
  });
});

test('docs/upgrade-paths.md is generated from the tables (npm run docs:paths)', () => {
  const page = readFileSync(new URL('../docs/upgrade-paths.md', import.meta.url), 'utf8');
  expect(page).toBe(renderUpgradePathsPage(BUILTIN_PROFILES));
});

describe('operators override the tables in the profiles config file', () => {
  const cfg = (upgradePaths: unknown) => ({ profiles: { etcd: { upgradePaths } } });

  test('a table from the config replaces the built-in one', () => {
    const profiles = profilesFromConfig(
      cfg([{ product: 'etcd (ours)', rows: [{ direction: 'up', from: '3.4', to: '3.6', verdict: 'allow', why: 'tested by us', source: 'our runbook' }] }]),
      'profiles.yaml',
    );
    const etcd = createProfileSet(profiles).byName.get('etcd')!;
    const j = judgePath(etcd, 'quay.io/coreos/etcd:v3.4.37', 'quay.io/coreos/etcd:v3.6.4', parseTagVersion('3.4.37')!, parseTagVersion('3.6.4')!);
    expect(j).toMatchObject({ verdict: 'allow', product: 'etcd (ours)' });
    const builtin = createProfileSet(BUILTIN_PROFILES).byName.get('etcd')!;
    expect(judgePath(builtin, 'quay.io/coreos/etcd:v3.4.37', 'quay.io/coreos/etcd:v3.6.4', parseTagVersion('3.4.37')!, parseTagVersion('3.6.4')!)).toMatchObject({ verdict: 'deny', via: '3.5' });
  });

  test('an empty list removes the tables', () => {
    const etcd = createProfileSet(profilesFromConfig(cfg([]), 'profiles.yaml')).byName.get('etcd')!;
    expect(judgePath(etcd, 'quay.io/coreos/etcd:v3.4.37', 'quay.io/coreos/etcd:v3.6.4', parseTagVersion('3.4.37')!, parseTagVersion('3.6.4')!)).toBeUndefined();
  });

  test.each<[string, unknown, string]>([
    ['unquoted version', [{ product: 'x', rows: [{ direction: 'up', from: 3.1, verdict: 'deny', why: 'w', source: 's' }] }], 'profiles.etcd.upgradePaths[0].rows[0].from: must be a quoted version'],
    ['bad verdict', [{ product: 'x', rows: [{ direction: 'up', verdict: 'maybe', why: 'w', source: 's' }] }], 'profiles.etcd.upgradePaths[0].rows[0].verdict: must be one of allow, warn, deny'],
    ['no source', [{ product: 'x', rows: [{ direction: 'down', verdict: 'deny', why: 'w' }] }], 'profiles.etcd.upgradePaths[0].rows[0].source: must be a non-empty string'],
    ['unknown field', [{ product: 'x', rows: [], steps: 1 }], 'profiles.etcd.upgradePaths[0].steps: unknown field'],
    ['series out of order', [{ product: 'x', rows: [], consecutive: { series: [['3.5', '3.4']], why: 'w', source: 's' } }], 'profiles.etcd.upgradePaths[0].consecutive.series[0][1]: must be higher than 3.5'],
  ])('%s fails at start with the field named', (_name, paths, message) => {
    expect(() => profilesFromConfig(cfg(paths), 'profiles.yaml')).toThrow(ProfileConfigError);
    expect(() => profilesFromConfig(cfg(paths), 'profiles.yaml')).toThrow(`profiles.yaml: ${message}`);
  });
});
