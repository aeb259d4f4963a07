import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebhookMetrics } from '../../src/observability/metrics.js';
import { PROJECT_DIR } from '../helpers/fixtures.js';
import { helm, renderChart } from './helm.js';

/**
 * The Grafana dashboard the chart ships (charts/gossip-safe/files/dashboards/gossip-safe.json):
 * every metric it queries must be one the server exports, under the name it exports it, so a
 * rename breaks this test instead of a panel.
 */
const FILE = join(PROJECT_DIR, 'charts', 'gossip-safe', 'files', 'dashboards', 'gossip-safe.json');

interface Panel {
  title?: string;
  type?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}
const dashboard = JSON.parse(readFileSync(FILE, 'utf8')) as { uid?: string; title?: string; panels: Panel[]; templating?: { list: { query?: unknown }[] } };
const panels = (list: readonly Panel[]): Panel[] => list.flatMap((p) => [p, ...panels(p.panels ?? [])]);
const graphs = panels(dashboard.panels).filter((p) => p.type !== 'row');
const exprs = [
  ...graphs.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? '')),
  ...(dashboard.templating?.list ?? []).map((v) => (typeof v.query === 'string' ? v.query : JSON.stringify(v.query ?? ''))),
];

/** The series names a family exports: a histogram's _bucket, _count and _sum. */
async function exportedSeries(): Promise<Set<string>> {
  const families = await new WebhookMetrics().registry.getMetricsAsJSON();
  return new Set(families.flatMap((f) => (String(f.type) === 'histogram' ? [`${f.name}_bucket`, `${f.name}_count`, `${f.name}_sum`] : [f.name])));
}

test('the dashboard has panels, each with a query', () => {
  expect(dashboard.uid).toBe('gossip-safe');
  expect(graphs.length).toBeGreaterThanOrEqual(8);
  for (const p of graphs) expect({ title: p.title, queries: (p.targets ?? []).filter((t) => (t.expr ?? '') !== '').length > 0 }).toEqual({ title: p.title, queries: true });
});

test('every metric the dashboard queries is one the server exports', async () => {
  const exported = await exportedSeries();
  const queried = new Set(exprs.flatMap((e) => [...e.matchAll(/\b((?:gossip_safe|process|nodejs)_[a-z0-9_]+)\b/g)].map((m) => m[1]!)));
  expect(queried.size).toBeGreaterThanOrEqual(6);
  expect([...queried].filter((m) => !exported.has(m))).toEqual([]);
  // and no other metric name sneaks in (anything called like a metric before `{` or `[`)
  const others = exprs.flatMap((e) => [...e.matchAll(/\b([a-z_:][a-z0-9_:]*)\s*[{[]/g)].map((m) => m[1]!)).filter((m) => !queried.has(m) && !/^(by|without|on|ignoring|group_left|group_right)$/.test(m));
  expect(others).toEqual([]);
});

describe('in the chart', () => {
  beforeAll(() => void helm(), 25 * 60_000);

  test('dashboards.enabled renders it into a ConfigMap for the Grafana sidecar', () => {
    expect(renderChart().filter((o) => o.kind === 'ConfigMap' && o.metadata?.name === 'gossip-safe-dashboard')).toEqual([]);
    const [cm, ...rest] = renderChart({ dashboards: { enabled: true, labels: { team: 'platform' } } }).filter((o) => o.kind === 'ConfigMap' && o.metadata?.name === 'gossip-safe-dashboard');
    expect(rest).toEqual([]);
    expect(cm?.metadata?.labels).toMatchObject({ grafana_dashboard: '1', team: 'platform' });
    const data = (cm as unknown as { data: Record<string, string> }).data;
    expect(JSON.parse(data['gossip-safe.json'] ?? '')).toEqual(dashboard);
  });
});
