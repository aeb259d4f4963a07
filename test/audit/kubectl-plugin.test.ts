import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { PROJECT_DIR } from '../helpers/fixtures.js';
import { FakeKubeApi } from '../helpers/fake-kube-api.js';
import { kubectl } from '../helpers/kustomize.js';
import { seedCluster } from './cluster.js';

/**
 * The package's kubectl-gossip_safe binary, run the way users run it: the real kubectl finds
 * it on PATH and runs `kubectl gossip-safe ...`, against a fake API server on loopback.
 */
interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let binDir: string;
let withCrd: FakeKubeApi;
let withoutCrd: FakeKubeApi;

function run(command: string, args: readonly string[], timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      [...args],
      { cwd: PROJECT_DIR, timeout: timeoutMs, env: { ...process.env, PATH: `${binDir}${delimiter}${process.env['PATH'] ?? ''}`, KUBECONFIG: '' } },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const kubectlGossipSafe = (args: readonly string[]): Promise<Run> => run(kubectl(), ['gossip-safe', ...args]);

beforeAll(async () => {
  binDir = mkdtempSync(join(tmpdir(), 'gossip-safe-plugin-'));
  // What npm does for package.json "bin": a link named kubectl-gossip_safe, target made executable.
  const target = join(PROJECT_DIR, 'dist', 'kubectl-plugin.js');
  chmodSync(target, 0o755);
  symlinkSync(target, join(binDir, 'kubectl-gossip_safe'));
  withCrd = await FakeKubeApi.start({ policyReportCrd: true });
  withoutCrd = await FakeKubeApi.start();
  seedCluster(withCrd);
  seedCluster(withoutCrd);
});
afterAll(async () => {
  await withCrd.stop();
  await withoutCrd.stop();
  rmSync(binDir, { recursive: true, force: true });
});

test('kubectl gossip-safe audit -A finds the uninjected pod, the stuck pre-migration and the unfinished rollout', async () => {
  const r = await kubectlGossipSafe(['audit', '--kubeconfig', withCrd.kubeconfigPath, '-A']);
  expect(r.stderr).toContain('2 workloads, 4 pods');
  expect(r.stdout).toMatch(/warning pod-not-injected: pod cassandra-prod\/cassandra-0: cassandra container "cassandra" runs without gossip-safe's injection/);
  expect(r.stdout).toMatch(/ERROR premigrate-stuck: pod cassandra-prod\/cassandra-2: init container gossip-premigrate is stuck \(restarted 3 times/);
  expect(r.stdout).toMatch(/warning rollout-unfinished: statefulset cassandra-prod\/cassandra: rollout unfinished/);
  expect(r.stdout).not.toContain('nginx');
  expect(r.code).toBe(2); // an error (the stuck pre-migration): as check's "denied"
  // Read-only: nothing but GETs reached the API.
  expect(withCrd.requests.filter((q) => q.method !== 'GET')).toEqual([]);
});

test('-n selects one namespace, -o json is machine-readable, --context picks the kubeconfig context', async () => {
  const r = await kubectlGossipSafe(['audit', '--kubeconfig', withCrd.kubeconfigPath, '--context', 'fake', '-n', 'web', '-o', 'json']);
  expect(r.code).toBe(0);
  const json = JSON.parse(r.stdout) as { scope: string; namespaces: unknown[]; summary: { objects: number } };
  expect(json.scope).toBe('namespace web');
  expect(json.summary.objects).toBe(0);
  expect(withCrd.requests.some((q) => q.path === '/api/v1/namespaces/web/pods')).toBe(true);

  const bad = await kubectlGossipSafe(['audit', '--kubeconfig', withCrd.kubeconfigPath, '--context', 'nope', '-A']);
  expect(bad.code).toBe(3);
  expect(bad.stderr.trim()).toBe('gossip-safe: audit: context "nope" is not in the kubeconfig');
});

test('--write-reports creates PolicyReports that kubectl get policyreports -A lists, and updates them on the next run', async () => {
  const first = await kubectlGossipSafe(['audit', '--kubeconfig', withCrd.kubeconfigPath, '-A', '--write-reports', '-o', 'policyreport']);
  expect(first.code).toBe(2);
  expect(first.stderr).toContain('policyreport cassandra-prod/gossip-safe-audit created');
  const printed = parseAllDocuments(first.stdout).map((d) => d.toJS() as { kind: string; metadata: { namespace: string } });
  expect(printed.map((p) => `${p.kind} ${p.metadata.namespace}`)).toEqual(['PolicyReport cassandra-prod']);

  const listed = await run(kubectl(), ['get', 'policyreports', '-A', '--kubeconfig', withCrd.kubeconfigPath, '-o', 'name']);
  expect(listed.stderr).toBe('');
  expect(listed.stdout.trim()).toBe('policyreport.wgpolicyk8s.io/gossip-safe-audit');
  const table = await run(kubectl(), ['get', 'policyreports', '-A', '--kubeconfig', withCrd.kubeconfigPath]);
  expect(table.stdout).toMatch(/cassandra-prod\s+gossip-safe-audit/);

  const second = await kubectlGossipSafe(['audit', '--kubeconfig', withCrd.kubeconfigPath, '-A', '--write-reports']);
  expect(second.stderr).toContain('policyreport cassandra-prod/gossip-safe-audit updated');
  const [stored] = withCrd.stored('policyreports') as { summary: Record<string, number>; results: { rule: string; result: string }[] }[];
  expect(stored?.summary).toEqual({ pass: 1, fail: 1, warn: 2, error: 0, skip: 0 });
  expect(stored?.results.map((x) => `${x.result} ${x.rule}`).sort()).toEqual(['fail premigrate-stuck', 'pass datastore-safe', 'warn pod-not-injected', 'warn rollout-unfinished']);
});

test('--write-reports without the PolicyReport CRD: one clear line, exit 3, nothing written', async () => {
  const r = await kubectlGossipSafe(['audit', '--kubeconfig', withoutCrd.kubeconfigPath, '-A', '--write-reports']);
  expect(r.code).toBe(3);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n')).toEqual([
    'gossip-safe: audit --write-reports: the cluster has no PolicyReport CRD (wgpolicyk8s.io/v1alpha2); install it (Kyverno and the wg-policy prototypes ship it) or drop --write-reports and use -o policyreport',
  ]);
  expect(withoutCrd.requests.filter((q) => q.method !== 'GET')).toEqual([]);
});

test('an unreachable cluster is an input error (exit 3) in one line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gossip-safe-kc-'));
  try {
    const kc = join(dir, 'kubeconfig');
    // Port 1 on loopback: nothing listens there.
    writeFileSync(kc, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\n');
    const r = await kubectlGossipSafe(['audit', '--kubeconfig', kc, '-A']);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe('gossip-safe: audit: cannot reach the Kubernetes API at https://127.0.0.1:1 to list namespaces: ECONNREFUSED');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kubectl gossip-safe check and inject: kubectl global flags are accepted, -n and -o work as in gossip-safe', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gossip-safe-plugin-check-'));
  try {
    const sts = (image: string) =>
      `apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: cassandra}\nspec:\n  serviceName: cassandra\n  selector: {matchLabels: {app: c}}\n  template:\n    metadata: {labels: {app: c}}\n    spec: {containers: [{name: cassandra, image: "${image}", volumeMounts: [{name: data, mountPath: /var/lib/cassandra}]}]}\n  volumeClaimTemplates: [{metadata: {name: data}}]\n`;
    writeFileSync(join(dir, 'base.yaml'), sts('cassandra:3.11.16'));
    writeFileSync(join(dir, 'head.yaml'), sts('cassandra:4.1.3'));
    const r = await kubectlGossipSafe(['check', '--context', 'prod', '--kubeconfig=/nonexistent', '-n', 'db', '-o', 'json', '--base', join(dir, 'base.yaml'), join(dir, 'head.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('statefulset db/cassandra: container \\"cassandra\\" changes cassandra 3.11.16 -> 4.1.3 without an IP-migration step');
    const inj = await kubectlGossipSafe(['inject', '--context', 'prod', '--help']);
    expect(inj.code).toBe(0);
    const help = await kubectlGossipSafe(['--help']);
    expect(help.stdout).toContain('Usage: kubectl gossip-safe <command> [options]');
    expect(help.stdout).toMatch(/\n {2}audit +read-only: audit the datastore workloads/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
