/**
 * `gossip-safe audit`, the pure part: given what the cluster holds (namespaces, pods,
 * workloads) and the time, what is unsafe. No I/O here; src/k8s/audit-cluster.ts reads the
 * cluster and src/cli/audit.ts wires the two.
 */
import { ENV_PREMIGRATE_TIMEOUT, LABEL_INJECT, LABEL_POLICY, PREMIGRATE_CONTAINER } from '../contract.js';
import type { K8sObject } from '../offline/manifests.js';
import type { ProfileSet } from '../profiles/types.js';
import { judge, MUTATION_WARNING_RULE, type Finding } from './judge.js';

/** What the audit read from the cluster. */
export interface ClusterSnapshot {
  readonly namespaces: readonly K8sObject[];
  readonly pods: readonly K8sObject[];
  /** StatefulSets, Deployments and DaemonSets (with apiVersion and kind set). */
  readonly workloads: readonly K8sObject[];
}

export interface ResourceRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
}

export type AuditCategory = 'verdict' | 'uninjected-pod' | 'premigrate-stuck' | 'rollout-unfinished';

export interface AuditFinding {
  readonly category: AuditCategory;
  /** A validation rule id (category verdict) or the audit's own: pod-not-injected, premigrate-stuck, rollout-unfinished. */
  readonly rule: string;
  readonly level: 'error' | 'warning';
  readonly message: string;
  /** The underlying validation messages (pod-not-injected). */
  readonly details?: readonly string[];
}

/** One datastore object the audit looked at, with what it found (nothing: it passes). */
export interface AuditedObject {
  readonly resource: ResourceRef;
  readonly profile: string;
  readonly container: string;
  readonly image: string;
  readonly findings: readonly AuditFinding[];
}

export interface NamespaceAudit {
  readonly namespace: string;
  /** The namespace's gossip-safe.io/policy (none: judged as warn). */
  readonly policy: 'enforce' | 'warn' | 'none';
  readonly injectionEnabled: boolean;
  readonly objects: readonly AuditedObject[];
}

export interface AuditResult {
  readonly namespaces: readonly NamespaceAudit[];
  readonly summary: { readonly objects: number; readonly errors: number; readonly warnings: number; readonly passed: number };
}

/** Margin past the pre-migration timeout before a running init container counts as stuck. */
export const PREMIGRATE_STUCK_MARGIN_SECONDS = 60;
const DEFAULT_PREMIGRATE_TIMEOUT = 600;

const INJECTION_RULES: Readonly<Record<string, string>> = {
  'no-per-pod-node-name': 'no per-incarnation GOSSIP_NODE_NAME',
  'no-leave-hook': 'no preStop leave hook',
  'grace-below-minimum': 'termination grace below the profile minimum',
};

type Json = Record<string, unknown>;

function rec(v: unknown): Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
}

function list(v: unknown): Json[] {
  return Array.isArray(v) ? v.map(rec) : [];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function labelsOf(o: K8sObject): Record<string, string> {
  return rec(rec(o.metadata)['labels']) as Record<string, string>;
}

function refOf(o: K8sObject, namespace: string): ResourceRef {
  const uid = str(rec(o.metadata)['uid']);
  return { apiVersion: o.apiVersion ?? 'v1', kind: o.kind ?? 'Pod', namespace, name: o.metadata?.name ?? '', ...(uid === undefined ? {} : { uid }) };
}

function lower(kind: string): string {
  return kind.toLowerCase();
}

/** How to restart a pod so the webhook injects it: through its owner when it has one. */
function restartHint(pod: K8sObject, namespace: string): string {
  const owner = list(rec(pod.metadata)['ownerReferences']).find((r) => r['controller'] === true);
  const kind = str(owner?.['kind']);
  const name = str(owner?.['name']);
  if ((kind === 'StatefulSet' || kind === 'DaemonSet') && name !== undefined) {
    return `kubectl rollout restart ${lower(kind)}/${name} -n ${namespace}`;
  }
  return `kubectl delete pod ${pod.metadata?.name ?? ''} -n ${namespace} (its controller re-creates it)`;
}

function seconds(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

/** The pre-migration timeout the init container was given (seconds). */
function premigrateTimeout(pod: K8sObject): number {
  const init = list(rec(pod['spec'])['initContainers']).find((c) => c['name'] === PREMIGRATE_CONTAINER);
  const env = list(init?.['env']).find((e) => e['name'] === ENV_PREMIGRATE_TIMEOUT);
  return seconds(str(env?.['value'])) ?? DEFAULT_PREMIGRATE_TIMEOUT;
}

/** A pod whose gossip-premigrate init container restarts, or runs past its timeout. */
export function premigrateProblem(pod: K8sObject, now: Date): string | undefined {
  const status = list(rec(pod['status'])['initContainerStatuses']).find((s) => s['name'] === PREMIGRATE_CONTAINER);
  if (status === undefined) return undefined;
  const state = rec(status['state']);
  if (state['terminated'] !== undefined && rec(state['terminated'])['exitCode'] === 0) return undefined;
  const restarts = typeof status['restartCount'] === 'number' ? status['restartCount'] : 0;
  const timeout = premigrateTimeout(pod);
  const reasons: string[] = [];
  if (restarts > 0) {
    const last = rec(rec(status['lastState'])['terminated']);
    const exit = typeof last['exitCode'] === 'number' ? `, last exit code ${last['exitCode']}` : '';
    const waiting = str(rec(state['waiting'])['reason']);
    reasons.push(`restarted ${restarts} time${restarts === 1 ? '' : 's'}${exit}${waiting === undefined ? '' : `, now ${waiting}`}`);
  }
  const startedAt = str(rec(state['running'])['startedAt']);
  if (startedAt !== undefined) {
    const ran = Math.floor((now.getTime() - Date.parse(startedAt)) / 1000);
    if (Number.isFinite(ran) && ran > timeout + PREMIGRATE_STUCK_MARGIN_SECONDS) {
      reasons.push(`running for ${Math.floor(ran / 60)} min, past its ${timeout} s timeout`);
    }
  }
  return reasons.length === 0 ? undefined : reasons.join('; ');
}

function namespaceInfo(namespaces: readonly K8sObject[], name: string): { policy: NamespaceAudit['policy']; injectionEnabled: boolean } {
  const ns = namespaces.find((n) => n.metadata?.name === name);
  const labels = ns === undefined ? {} : labelsOf(ns);
  const policy = labels[LABEL_POLICY];
  return { policy: policy === 'enforce' || policy === 'warn' ? policy : 'none', injectionEnabled: labels[LABEL_INJECT] === 'enabled' };
}

/**
 * The verdict's findings, without the mutating webhook's notes on what it will inject into the
 * template's future pods (grace raised, hook added): they describe the fix, not a problem.
 */
function verdictFindings(findings: readonly Finding[]): AuditFinding[] {
  return findings.filter((f) => f.rule !== MUTATION_WARNING_RULE).map((f) => ({ category: 'verdict', rule: f.rule, level: f.level, message: f.message }));
}

function auditWorkload(workload: K8sObject, namespace: string, info: ReturnType<typeof namespaceInfo>, profiles: ProfileSet): AuditedObject | undefined {
  const verdict = judge({ object: workload, namespace, mode: info.policy === 'enforce' ? 'enforce' : 'warn', injectionEnabled: info.injectionEnabled }, profiles);
  if (verdict.datastore === undefined) return undefined;
  const findings = verdictFindings(verdict.findings);
  if (verdict.unfinishedRollout !== undefined) {
    const target = `${lower(workload.kind ?? '')}/${workload.metadata?.name ?? ''} -n ${namespace}`;
    findings.push({
      category: 'rollout-unfinished',
      rule: 'rollout-unfinished',
      level: 'warning',
      message:
        `${lower(workload.kind ?? '')} ${namespace}/${workload.metadata?.name ?? ''}: rollout unfinished (${verdict.unfinishedRollout}); ` +
        `a datastore version change now would be denied (rollout-in-progress): kubectl rollout status ${target}`,
    });
  }
  return { resource: refOf(workload, namespace), ...verdict.datastore, findings };
}

function auditPod(pod: K8sObject, namespace: string, info: ReturnType<typeof namespaceInfo>, profiles: ProfileSet, now: Date): AuditedObject | undefined {
  const phase = str(rec(pod['status'])['phase']);
  if (phase === 'Succeeded' || phase === 'Failed') return undefined;
  const verdict = judge({ object: pod, namespace, mode: 'warn', injectionEnabled: info.injectionEnabled }, profiles);
  if (verdict.datastore === undefined) return undefined;
  const findings: AuditFinding[] = [];
  const missing = verdict.findings.filter((f) => f.rule in INJECTION_RULES);
  const name = pod.metadata?.name ?? '';
  if (missing.length > 0) {
    const what = [...new Set(missing.map((f) => INJECTION_RULES[f.rule]))].join(', ');
    const fix = info.injectionEnabled
      ? `restart it to get the injection: ${restartHint(pod, namespace)}`
      : `label namespace ${namespace} gossip-safe.io/inject=enabled, then restart it: ${restartHint(pod, namespace)}`;
    findings.push({
      category: 'uninjected-pod',
      rule: 'pod-not-injected',
      level: 'warning',
      message: `pod ${namespace}/${name}: ${verdict.datastore.profile} container "${verdict.datastore.container}" runs without gossip-safe's injection (${what}); ${fix}`,
      details: missing.map((f) => f.message),
    });
  }
  const stuck = premigrateProblem(pod, now);
  if (stuck !== undefined) {
    findings.push({
      category: 'premigrate-stuck',
      rule: 'premigrate-stuck',
      level: 'error',
      message: `pod ${namespace}/${name}: init container ${PREMIGRATE_CONTAINER} is stuck (${stuck}); see kubectl logs ${name} -n ${namespace} -c ${PREMIGRATE_CONTAINER}`,
    });
  }
  return { resource: refOf(pod, namespace), ...verdict.datastore, findings };
}

/** Audits everything in the snapshot, grouped by namespace (sorted), objects in read order. */
export function audit(snapshot: ClusterSnapshot, profiles: ProfileSet, now: Date): AuditResult {
  const byNamespace = new Map<string, AuditedObject[]>();
  const add = (namespace: string, o: AuditedObject | undefined): void => {
    if (o === undefined) return;
    const objects = byNamespace.get(namespace) ?? [];
    objects.push(o);
    byNamespace.set(namespace, objects);
  };
  for (const w of snapshot.workloads) {
    const namespace = w.metadata?.namespace ?? 'default';
    add(namespace, auditWorkload(w, namespace, namespaceInfo(snapshot.namespaces, namespace), profiles));
  }
  for (const p of snapshot.pods) {
    const namespace = p.metadata?.namespace ?? 'default';
    add(namespace, auditPod(p, namespace, namespaceInfo(snapshot.namespaces, namespace), profiles, now));
  }
  const namespaces = [...byNamespace.keys()].sort().map((namespace) => ({
    namespace,
    ...namespaceInfo(snapshot.namespaces, namespace),
    objects: byNamespace.get(namespace) ?? [],
  }));
  const all = namespaces.flatMap((n) => n.objects);
  const findings = all.flatMap((o) => o.findings);
  return {
    namespaces,
    summary: {
      objects: all.length,
      errors: findings.filter((f) => f.level === 'error').length,
      warnings: findings.filter((f) => f.level === 'warning').length,
      passed: all.filter((o) => o.findings.length === 0).length,
    },
  };
}
