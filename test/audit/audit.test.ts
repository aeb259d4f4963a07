import { audit } from '../../src/audit/audit.js';
import { formatAudit, policyReports } from '../../src/audit/report.js';
import type { K8sObject } from '../../src/offline/manifests.js';
import { loadProfileSet } from '../../src/profiles/config.js';
import { cassandraStatefulSet, healthyInjectedPod, NOW, stuckPremigratePod, uninjectedPod } from './cluster.js';

const profiles = loadProfileSet(undefined);
const namespaces: K8sObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'cassandra-prod', labels: { 'gossip-safe.io/inject': 'enabled', 'gossip-safe.io/policy': 'enforce' } } },
];

function findingsOf(result: ReturnType<typeof audit>, name: string) {
  return result.namespaces.flatMap((n) => n.objects).find((o) => o.resource.name === name)?.findings ?? [];
}

describe('audit (pure)', () => {
  const result = audit({ namespaces, pods: [uninjectedPod(), healthyInjectedPod(), stuckPremigratePod()], workloads: [cassandraStatefulSet()] }, profiles, NOW);

  test('finds the uninjected Cassandra pod, with what it lacks and how to fix it', () => {
    const [f, ...rest] = findingsOf(result, 'cassandra-0');
    expect(rest).toEqual([]);
    expect(f?.rule).toBe('pod-not-injected');
    expect(f?.level).toBe('warning');
    expect(f?.message).toContain('no preStop leave hook');
    expect(f?.message).toContain('termination grace below the profile minimum');
    expect(f?.message).toContain('kubectl rollout restart statefulset/cassandra -n cassandra-prod');
    expect(f?.details?.some((d) => d.includes('nodetool'))).toBe(true);
  });

  test('a pod the real mutation injected has no findings', () => {
    expect(findingsOf(result, 'cassandra-1')).toEqual([]);
  });

  test('finds the stuck pre-migration as an error', () => {
    const f = findingsOf(result, 'cassandra-2');
    expect(f.map((x) => x.rule)).toEqual(['premigrate-stuck']);
    expect(f[0]?.level).toBe('error');
    expect(f[0]?.message).toMatch(/restarted 3 times, last exit code 1; running for 25 min, past its 600 s timeout/);
  });

  test('finds the unfinished rollout of the StatefulSet', () => {
    const f = findingsOf(result, 'cassandra').filter((x) => x.rule === 'rollout-unfinished');
    expect(f).toHaveLength(1);
    expect(f[0]?.message).toContain('current revision cassandra-6d9f, update revision cassandra-7c4b, 1/3 pods updated');
  });

  test('a pre-migration that just started, or finished, is not stuck', () => {
    const fresh = stuckPremigratePod();
    const status = (fresh['status'] as { initContainerStatuses: Record<string, unknown>[] }).initContainerStatuses[0]!;
    status['restartCount'] = 0;
    status['state'] = { running: { startedAt: new Date(NOW.getTime() - 5 * 60_000).toISOString() } };
    const done = stuckPremigratePod();
    (done['status'] as { initContainerStatuses: Record<string, unknown>[] }).initContainerStatuses[0]!['state'] = { terminated: { exitCode: 0 } };
    const r = audit({ namespaces, pods: [fresh, done], workloads: [] }, profiles, NOW);
    expect(r.summary).toMatchObject({ errors: 0, warnings: 0, passed: 2 });
  });

  test('a finished rollout and pods without a datastore give nothing to report', () => {
    const sts = cassandraStatefulSet();
    sts['status'] = { observedGeneration: 4, replicas: 3, updatedReplicas: 3, currentRevision: 'cassandra-7c4b', updateRevision: 'cassandra-7c4b' };
    const nginx: K8sObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nginx', namespace: 'cassandra-prod' }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } };
    const r = audit({ namespaces, pods: [nginx], workloads: [sts] }, profiles, NOW);
    expect(r.namespaces.flatMap((n) => n.objects).map((o) => o.resource.name)).toEqual(['cassandra']);
    expect(findingsOf(r, 'cassandra')).toEqual([]);
  });

  test('one PolicyReport per namespace, as Kyverno writes them', () => {
    const [report, ...more] = policyReports(result, NOW);
    expect(more).toEqual([]);
    expect(report).toMatchObject({ apiVersion: 'wgpolicyk8s.io/v1alpha2', kind: 'PolicyReport', metadata: { name: 'gossip-safe-audit', namespace: 'cassandra-prod' } });
    expect(report?.summary).toEqual({ pass: 1, fail: 1, warn: 2, error: 0, skip: 0 });
    const fail = report?.results.find((r) => r.result === 'fail');
    expect(fail).toMatchObject({ policy: 'gossip-safe', rule: 'premigrate-stuck', severity: 'high', resources: [{ apiVersion: 'v1', kind: 'Pod', name: 'cassandra-2', namespace: 'cassandra-prod', uid: 'uid-cassandra-2' }] });
    expect(fail?.timestamp.seconds).toBe(Math.floor(NOW.getTime() / 1000));
    for (const r of report?.results ?? []) expect(['pass', 'fail', 'warn', 'error', 'skip']).toContain(r.result);
  });

  test('text output names each finding and ends with the totals', () => {
    const text = formatAudit(result, 'text', 'all namespaces', NOW);
    expect(text).toContain('namespace cassandra-prod (policy enforce, injection enabled):');
    expect(text).toContain('pod/cassandra-1 [cassandra, cassandra: cassandra:4.1.4]: ok');
    expect(text.trimEnd().split('\n').pop()).toBe('audit all namespaces: 4 datastore objects, 1 error, 2 warnings, 1 ok');
  });
});
