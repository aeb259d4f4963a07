import { helm, renderChart } from './helm.js';

/**
 * The chart's optional audit CronJob (audit.cronJob.enabled): `gossip-safe audit -A
 * --write-reports` on a schedule keeps the PolicyReports current, under a service account bound
 * to exactly the two audit ClusterRoles. (test/chart/chart.test.ts schema-checks it with every
 * option on.)
 */
beforeAll(() => void helm(), 25 * 60_000);

interface Obj {
  kind: string;
  metadata: { name: string; namespace?: string };
  [k: string]: unknown;
}

test('off by default', () => {
  expect(renderChart().filter((o) => o.kind === 'CronJob' || o.metadata?.name === 'gossip-safe-audit')).toEqual([]);
});

test('audit.cronJob.enabled: a CronJob writing the reports, its service account and the bindings it needs', () => {
  const objects = renderChart({ audit: { cronJob: { enabled: true, schedule: '*/15 * * * *' } } }, 'platform') as unknown as Obj[];
  const cron = objects.find((o) => o.kind === 'CronJob') as
    | (Obj & { spec: { schedule: string; concurrencyPolicy: string; jobTemplate: { spec: { activeDeadlineSeconds: number; template: { spec: { serviceAccountName: string; containers: { args: string[] }[] } } } } } })
    | undefined;
  expect(cron?.metadata).toMatchObject({ name: 'gossip-safe-audit', namespace: 'platform' });
  expect(cron?.spec.schedule).toBe('*/15 * * * *');
  expect(cron?.spec.concurrencyPolicy).toBe('Forbid');
  expect(cron?.spec.jobTemplate.spec.activeDeadlineSeconds).toBeGreaterThan(0);
  const pod = cron!.spec.jobTemplate.spec.template.spec;
  expect(pod.serviceAccountName).toBe('gossip-safe-audit');
  expect(pod.containers[0]?.args).toEqual(['audit', '--all-namespaces', '--write-reports']);
  expect(objects.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === 'gossip-safe-audit')?.metadata.namespace).toBe('platform');
  // The ClusterRoles come with it, even without audit.clusterRole, and both are bound to it.
  expect(objects.filter((o) => o.kind === 'ClusterRole').map((o) => o.metadata.name)).toEqual(expect.arrayContaining(['gossip-safe-audit', 'gossip-safe-audit-reports']));
  const bindings = objects.filter((o) => o.kind === 'ClusterRoleBinding' && o.metadata.name.startsWith('gossip-safe-audit')) as (Obj & {
    roleRef: { name: string };
    subjects: { kind: string; name: string; namespace: string }[];
  })[];
  expect(bindings.map((b) => b.roleRef.name).sort()).toEqual(['gossip-safe-audit', 'gossip-safe-audit-reports']);
  for (const b of bindings) expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: 'gossip-safe-audit', namespace: 'platform' }]);
});
