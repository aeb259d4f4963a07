import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { PROJECT_DIR } from '../helpers/fixtures.js';
import { kubectl, type K8sObject } from '../helpers/kustomize.js';

export const CHART = join(PROJECT_DIR, 'charts', 'gossip-safe');
/** helm template's own default is too old for the chart's kubeVersion; render for a current cluster. */
export const KUBE_VERSION = '1.32.0';

let helmPath: string | undefined;

/** The pinned helm (scripts/tools/helm.sh: built from test/chart/tools/go.mod once, then cached). */
export function helm(): string {
  if (helmPath !== undefined) return helmPath;
  const r = spawnSync('bash', [join(PROJECT_DIR, 'scripts', 'tools', 'helm.sh')], { encoding: 'utf8', timeout: 20 * 60_000 });
  if (r.status !== 0) throw new Error(`scripts/tools/helm.sh failed (exit ${String(r.status)}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return (helmPath = r.stdout.trim());
}

export interface HelmRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runHelm(args: readonly string[]): HelmRun {
  const r = spawnSync(helm(), [...args], { encoding: 'utf8', timeout: 60_000, cwd: PROJECT_DIR });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function parse(yaml: string, what: string): K8sObject[] {
  return parseAllDocuments(yaml)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${what}: rendered YAML does not parse: ${doc.errors[0]?.message}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

/**
 * `helm template gossip-safe CHART -n NAMESPACE` with these values (as a values file), parsed.
 * Without the `helm test` hooks unless `tests` (they are not installed objects).
 */
export function renderChart(values: Record<string, unknown> = {}, namespace = 'gossip-safe', options: { tests?: boolean } = {}): K8sObject[] {
  const dir = mkdtempSync(join(tmpdir(), 'gossip-safe-chart-'));
  try {
    const file = join(dir, 'values.json');
    writeFileSync(file, JSON.stringify(values));
    const r = runHelm(['template', 'gossip-safe', CHART, '--namespace', namespace, '--kube-version', KUBE_VERSION, '--values', file, ...(options.tests === true ? [] : ['--skip-tests'])]);
    if (r.code !== 0) throw new Error(`helm template failed: ${r.stderr.trim()}`);
    return parse(r.stdout, 'helm template');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `kubectl kustomize` of a throwaway overlay: `resources` and `components` paths relative to the project. */
export function renderOverlay(resources: readonly string[], components: readonly string[]): K8sObject[] {
  const dir = mkdtempSync(join(tmpdir(), 'gossip-safe-overlay-'));
  try {
    const rel = (p: string): string => relative(dir, join(PROJECT_DIR, p));
    writeFileSync(
      join(dir, 'kustomization.yaml'),
      JSON.stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: resources.map(rel), components: components.map(rel) }),
    );
    const out = execFileSync(kubectl(), ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    return parse(out, `overlay ${[...resources, ...components].join(' ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The labels Helm adds (the chart's standard ones); everything else must match kustomize. */
export const HELM_LABELS = ['helm.sh/chart', 'app.kubernetes.io/managed-by', 'app.kubernetes.io/instance', 'app.kubernetes.io/version'];

export function withoutHelmLabels(o: K8sObject): K8sObject {
  const copy = structuredClone(o);
  const labels = copy.metadata.labels;
  if (labels !== undefined) {
    for (const l of HELM_LABELS) delete labels[l];
    if (Object.keys(labels).length === 0) delete copy.metadata.labels;
  }
  return copy;
}

export const idOf = (o: K8sObject): string => `${o.kind}/${o.metadata.namespace === undefined ? '' : `${o.metadata.namespace}/`}${o.metadata.name}`;

/** Objects keyed by kind/namespace/name. */
export function byId(objects: readonly K8sObject[]): Map<string, K8sObject> {
  return new Map(objects.map((o) => [idOf(o), o]));
}
