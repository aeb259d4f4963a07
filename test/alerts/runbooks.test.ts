import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { PROJECT_DIR } from '../helpers/fixtures.js';

/**
 * Every alert links a runbook: a page of docs/runbooks/ saying what the alert means and what to
 * do. The link is the repository's page on GitHub (the chart's `home`), so it resolves from an
 * Alertmanager notification; this test resolves it to the file in this checkout.
 */
const RUNBOOKS = 'https://github.com/gossip-safe/gossip-safe/blob/main/docs/runbooks/';
const RULE_FILES = [
  join(PROJECT_DIR, 'charts', 'gossip-safe', 'files', 'alerts', 'gossip-safe.rules.yaml'),
  join(PROJECT_DIR, 'charts', 'gossip-safe', 'files', 'alerts', 'gossip-health-examples.rules.yaml'),
];

interface Rule {
  alert?: string;
  annotations?: Record<string, string>;
}
const alerts = RULE_FILES.flatMap((f) => (parseYaml(readFileSync(f, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules)).filter(
  (r): r is Rule & { alert: string } => r.alert !== undefined,
);

test('the chart names the repository the runbook links point to', () => {
  expect(readFileSync(join(PROJECT_DIR, 'charts', 'gossip-safe', 'Chart.yaml'), 'utf8')).toContain('home: https://github.com/gossip-safe/gossip-safe\n');
});

test.each(alerts.map((a) => [a.alert, a] as const))('%s has a runbook_url to its page in docs/runbooks/', (name, alert) => {
  const url = alert.annotations?.['runbook_url'] ?? '';
  expect(url.startsWith(RUNBOOKS)).toBe(true);
  const file = join(PROJECT_DIR, 'docs', 'runbooks', url.slice(RUNBOOKS.length));
  expect(existsSync(file)).toBe(true);
  const page = readFileSync(file, 'utf8');
  expect(page).toMatch(new RegExp(`^# ${name}\\n`));
  expect(page).toMatch(/^## Meaning$/m);
  expect(page).toMatch(/^## What to do$/m);
});

test('every runbook page belongs to an alert (none left over after a rename)', () => {
  const pages = readdirSync(join(PROJECT_DIR, 'docs', 'runbooks')).filter((f) => f !== 'README.md');
  expect(pages.sort()).toEqual(alerts.map((a) => `${a.alert}.md`).sort());
});

test('there are alerts on the serving certificate: expiry and failed reloads', () => {
  const names = alerts.map((a) => a.alert);
  expect(names).toEqual(expect.arrayContaining(['GossipSafeCertificateExpiresSoon', 'GossipSafeCertificateReloadErrors']));
});
