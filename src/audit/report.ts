/** `gossip-safe audit` output: text, JSON, or PolicyReports (wgpolicyk8s.io/v1alpha2). */
import { stringify } from 'yaml';
import { GOSSIP_SAFE_VERSION } from '../version.js';
import type { AuditFinding, AuditResult, AuditedObject, NamespaceAudit } from './audit.js';

export const AUDIT_OUTPUT_FORMATS = ['text', 'json', 'yaml', 'policyreport'] as const;
export type AuditOutputFormat = (typeof AUDIT_OUTPUT_FORMATS)[number];

/** The PolicyReport each audited namespace gets (one per namespace, replaced on each run). */
export const POLICY_REPORT_NAME = 'gossip-safe-audit';
export const POLICY_REPORT_API_VERSION = 'wgpolicyk8s.io/v1alpha2';
const POLICY = 'gossip-safe';

type Result = 'pass' | 'fail' | 'warn';
type ReportSeverity = 'high' | 'medium' | 'info';

export interface PolicyReportResult {
  policy: string;
  rule: string;
  result: Result;
  severity: ReportSeverity;
  category: string;
  source: string;
  scored: boolean;
  message: string;
  timestamp: { seconds: number; nanos: number };
  resources: { apiVersion: string; kind: string; namespace: string; name: string; uid?: string }[];
  properties?: Record<string, string>;
}

export interface PolicyReport {
  apiVersion: typeof POLICY_REPORT_API_VERSION;
  kind: 'PolicyReport';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  summary: { pass: number; fail: number; warn: number; error: number; skip: number };
  results: PolicyReportResult[];
}

const CATEGORY: Record<AuditFinding['category'], string> = {
  verdict: 'gossip-safe validation',
  'uninjected-pod': 'gossip-safe injection',
  'premigrate-stuck': 'gossip-safe pre-migration',
  'rollout-unfinished': 'gossip-safe rollout',
};

function resultOf(o: AuditedObject, f: AuditFinding, seconds: number): PolicyReportResult {
  return {
    policy: POLICY,
    rule: f.rule,
    result: f.level === 'error' ? 'fail' : 'warn',
    severity: f.level === 'error' ? 'high' : 'medium',
    category: CATEGORY[f.category],
    source: POLICY,
    scored: true,
    message: f.message,
    timestamp: { seconds, nanos: 0 },
    resources: [{ ...o.resource }],
    properties: { profile: o.profile, container: o.container, image: o.image },
  };
}

/** One PolicyReport for a namespace: a result per finding, a `pass` for each object without one. */
export function policyReport(ns: NamespaceAudit, now: Date): PolicyReport {
  const seconds = Math.floor(now.getTime() / 1000);
  const results: PolicyReportResult[] = ns.objects.flatMap((o) =>
    o.findings.length === 0
      ? [
          {
            policy: POLICY,
            rule: 'datastore-safe',
            result: 'pass' as const,
            severity: 'info' as const,
            category: 'gossip-safe',
            source: POLICY,
            scored: true,
            message: `${o.resource.kind.toLowerCase()} ${ns.namespace}/${o.resource.name}: ${o.profile} container "${o.container}" has no findings`,
            timestamp: { seconds, nanos: 0 },
            resources: [{ ...o.resource }],
            properties: { profile: o.profile, container: o.container, image: o.image },
          },
        ]
      : o.findings.map((f) => resultOf(o, f, seconds)),
  );
  const count = (r: Result): number => results.filter((x) => x.result === r).length;
  return {
    apiVersion: POLICY_REPORT_API_VERSION,
    kind: 'PolicyReport',
    metadata: {
      name: POLICY_REPORT_NAME,
      namespace: ns.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'gossip-safe', 'app.kubernetes.io/version': GOSSIP_SAFE_VERSION },
    },
    summary: { pass: count('pass'), fail: count('fail'), warn: count('warn'), error: 0, skip: 0 },
    results,
  };
}

export function policyReports(result: AuditResult, now: Date): PolicyReport[] {
  return result.namespaces.map((ns) => policyReport(ns, now));
}

function text(result: AuditResult, scope: string): string {
  const lines: string[] = [];
  for (const ns of result.namespaces) {
    const flags = [`policy ${ns.policy}`, `injection ${ns.injectionEnabled ? 'enabled' : 'off'}`].join(', ');
    lines.push(`namespace ${ns.namespace} (${flags}):`);
    for (const o of ns.objects) {
      const head = `  ${o.resource.kind.toLowerCase()}/${o.resource.name} [${o.profile}, ${o.container}: ${o.image}]`;
      if (o.findings.length === 0) {
        lines.push(`${head}: ok`);
        continue;
      }
      lines.push(`${head}:`);
      for (const f of o.findings) lines.push(`    ${f.level === 'error' ? 'ERROR' : 'warning'} ${f.rule}: ${f.message}`);
    }
  }
  const s = result.summary;
  if (result.namespaces.length === 0) lines.push(`no datastore workloads or pods in ${scope}`);
  lines.push(`audit ${scope}: ${s.objects} datastore object${s.objects === 1 ? '' : 's'}, ${s.errors} error${s.errors === 1 ? '' : 's'}, ${s.warnings} warning${s.warnings === 1 ? '' : 's'}, ${s.passed} ok`);
  return `${lines.join('\n')}\n`;
}

export function formatAudit(result: AuditResult, format: AuditOutputFormat, scope: string, now: Date): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify({ scope, ...result }, null, 2)}\n`;
    case 'yaml':
      // Through JSON first: the YAML is exactly the -o json document.
      return stringify(JSON.parse(JSON.stringify({ scope, ...result })), { lineWidth: 0 });
    case 'policyreport':
      return policyReports(result, now)
        .map((r) => `---\n${stringify(r, { lineWidth: 0 })}`)
        .join('');
    case 'text':
      return text(result, scope);
  }
}
