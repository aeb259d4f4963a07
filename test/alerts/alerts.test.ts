import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { PROJECT_DIR } from '../helpers/fixtures.js';

/**
 * The alert rules, tested by Prometheus' own promtool (scripts/tools/promtool.sh: Debian's
 * prometheus package). Each *.promtest.yaml here feeds series to one rules file and states which
 * alerts fire when; this suite runs them and checks every alert has a firing and a silent case.
 */
const ALERTS = join(PROJECT_DIR, 'charts', 'gossip-safe', 'files', 'alerts');
const TESTS = join(PROJECT_DIR, 'test', 'alerts');
const PAIRS = [
  { name: 'gossip-safe.rules.yaml', rules: join(ALERTS, 'gossip-safe.rules.yaml'), test: join(TESTS, 'gossip-safe.promtest.yaml') },
  { name: 'gossip-health-examples.rules.yaml', rules: join(ALERTS, 'gossip-health-examples.rules.yaml'), test: join(TESTS, 'gossip-health-examples.promtest.yaml') },
];

let promtoolPath: string;

beforeAll(() => {
  const r = spawnSync('bash', [join(PROJECT_DIR, 'scripts', 'tools', 'promtool.sh')], { encoding: 'utf8', timeout: 5 * 60_000 });
  if (r.status !== 0) throw new Error(`scripts/tools/promtool.sh failed: ${r.stderr.trim()}`);
  promtoolPath = r.stdout.trim();
}, 5 * 60_000);

function promtool(args: readonly string[]): { code: number; out: string } {
  const r = spawnSync(promtoolPath, [...args], { encoding: 'utf8', timeout: 60_000, cwd: TESTS });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

interface RuleFile {
  groups: { rules: { alert?: string }[] }[];
}
interface PromTest {
  rule_files: string[];
  tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
}

test('promtool check rules: both files are valid Prometheus rules', () => {
  const r = promtool(['check', 'rules', ...PAIRS.map((p) => p.rules)]);
  expect(r.out).not.toContain('FAILED');
  expect(r.code).toBe(0);
});

test.each(PAIRS)('promtool test rules: $name', ({ test: file }) => {
  const r = promtool(['test', 'rules', file]);
  expect(r.out).toContain('SUCCESS');
  expect(r.code).toBe(0);
});

test.each(PAIRS)('every alert of $name has a case that fires and one that must not', ({ rules, test: file }) => {
  const alerts = (parseYaml(readFileSync(rules, 'utf8')) as RuleFile).groups.flatMap((g) => g.rules.map((r) => r.alert)).filter((a): a is string => a !== undefined);
  const cases = (parseYaml(readFileSync(file, 'utf8')) as PromTest).tests.flatMap((t) => t.alert_rule_test ?? []);
  expect(alerts.length).toBeGreaterThan(0);
  for (const alert of alerts) {
    const mine = cases.filter((c) => c.alertname === alert);
    expect({ alert, fires: mine.some((c) => c.exp_alerts.length > 0), silent: mine.some((c) => c.exp_alerts.length === 0) }).toEqual({ alert, fires: true, silent: true });
  }
});

test('the webhook alerts use only metrics the server exports', () => {
  const metrics = readFileSync(join(PROJECT_DIR, 'src', 'observability', 'metrics.ts'), 'utf8');
  const exported = new Set([...metrics.matchAll(/name: '([a-z_]+)'/g)].map((m) => m[1]));
  const rules = readFileSync(PAIRS[0]!.rules, 'utf8');
  const used = new Set([...rules.matchAll(/\b(gossip_safe_[a-z_]+)/g)].map((m) => (m[1] ?? '').replace(/_(bucket|count|sum)$/, '')));
  expect([...used].filter((m) => !exported.has(m))).toEqual([]);
  expect(used.size).toBeGreaterThanOrEqual(4);
});
