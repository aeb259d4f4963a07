import { RULES } from '../validate/index.js';
import { stringify } from 'yaml';
import type { ValidationMode } from '../validate/types.js';
import { GOSSIP_SAFE_VERSION } from '../version.js';
import { MUTATION_WARNING_RULE, type CheckedObject } from '../offline/check-pair.js';

export const OUTPUT_FORMATS = ['text', 'json', 'yaml', 'junit', 'sarif', 'github'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Everything a report needs: the verdicts and how they were obtained. */
export interface CheckReport {
  readonly mode: ValidationMode;
  readonly base: string;
  readonly head: string;
  readonly assumeInjection: boolean;
  readonly failOnWarn: boolean;
  readonly results: readonly CheckedObject[];
}

export interface CheckSummary {
  readonly objects: number;
  readonly created: number;
  readonly updated: number;
  readonly denied: number;
  readonly warned: number;
}

export function summarize(results: readonly CheckedObject[]): CheckSummary {
  return {
    objects: results.length,
    created: results.filter((r) => r.operation === 'CREATE').length,
    updated: results.filter((r) => r.operation === 'UPDATE').length,
    denied: results.filter((r) => !r.allowed).length,
    warned: results.filter((r) => r.allowed && r.warnings.length > 0).length,
  };
}

function label(r: CheckedObject): string {
  return `${r.description} (${r.operation})`;
}

function text(report: CheckReport): string {
  const lines: string[] = [];
  for (const r of report.results) {
    const at = `${r.head.source}:${r.head.line}: ${label(r)}`;
    if (r.message !== undefined) lines.push(`${at}: denied: ${r.message}`);
    for (const w of r.warnings) lines.push(`${at}: warning: ${w}`);
  }
  const s = summarize(report.results);
  lines.push(
    `gossip-safe check (${report.mode}): ${s.objects} object${s.objects === 1 ? '' : 's'} (${s.updated} updated, ${s.created} new): ` +
      `${s.denied} denied, ${s.warned} with warnings`,
  );
  return `${lines.join('\n')}\n`;
}

/** The document of -o json and -o yaml. */
function document(report: CheckReport): unknown {
  return {
    mode: report.mode,
    base: report.base,
    head: report.head,
    assumeInjection: report.assumeInjection,
    summary: summarize(report.results),
    results: report.results.map((r) => ({
      file: r.head.source,
      line: r.head.line,
      apiVersion: r.head.object.apiVersion,
      kind: r.head.object.kind,
      namespace: r.namespace,
      name: r.head.object.metadata?.name ?? null,
      operation: r.operation,
      allowed: r.allowed,
      ...(r.message === undefined ? {} : { message: r.message }),
      warnings: r.warnings,
      findings: r.findings,
      ...(report.assumeInjection ? { injected: r.injected } : {}),
    })),
  };
}

function xmlEscape(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

/** JUnit XML: one testcase per object; a denial (or, with --fail-on-warn, a warning) fails it. */
function junit(report: CheckReport): string {
  const failing = (r: CheckedObject) => !r.allowed || (report.failOnWarn && r.warnings.length > 0);
  const failures = report.results.filter(failing).length;
  const cases = report.results.map((r) => {
    const attrs = `classname="${xmlEscape(r.head.source)}" name="${xmlEscape(label(r))}" file="${xmlEscape(r.head.source)}" line="${r.head.line}"`;
    const body: string[] = [];
    if (failing(r)) {
      const message = r.message ?? r.warnings[0] ?? '';
      const type = [...new Set(r.findings.map((f) => f.rule))].join(',');
      const details = [...(r.message === undefined ? [] : [`denied: ${r.message}`]), ...r.warnings.map((w) => `warning: ${w}`)].join('\n');
      body.push(`      <failure message="${xmlEscape(message)}" type="${xmlEscape(type)}">${xmlEscape(details)}</failure>`);
    } else if (r.warnings.length > 0) {
      body.push(`      <system-out>${xmlEscape(r.warnings.map((w) => `warning: ${w}`).join('\n'))}</system-out>`);
    }
    return body.length === 0 ? `    <testcase ${attrs}/>` : `    <testcase ${attrs}>\n${body.join('\n')}\n    </testcase>`;
  });
  const suite = `gossip-safe check (${report.mode})`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="gossip-safe" tests="${report.results.length}" failures="${failures}" errors="0">`,
    `  <testsuite name="${xmlEscape(suite)}" tests="${report.results.length}" failures="${failures}" errors="0" skipped="0">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

const RULE_SUMMARIES = RULES as Readonly<Record<string, { readonly summary: string } | undefined>>;

function ruleSummary(id: string): string {
  if (id === MUTATION_WARNING_RULE) return 'A warning of the mutating webhook about what it could not inject.';
  return RULE_SUMMARIES[id]?.summary ?? id;
}

/** SARIF 2.1.0, for GitHub code scanning and other viewers: one result per finding. */
function sarif(report: CheckReport): string {
  const ruleIds = [...new Set(report.results.flatMap((r) => r.findings.map((f) => f.rule)))].sort();
  const results = report.results.flatMap((r) =>
    r.findings.map((f) => ({
      ruleId: f.rule,
      ruleIndex: ruleIds.indexOf(f.rule),
      level: f.level,
      message: { text: f.message },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: r.head.source }, region: { startLine: r.head.line } },
          logicalLocations: [{ name: r.description, kind: 'object' }],
        },
      ],
    })),
  );
  const body = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'gossip-safe',
            version: GOSSIP_SAFE_VERSION,
            rules: ruleIds.map((id) => ({ id, shortDescription: { text: ruleSummary(id) } })),
          },
        },
        results,
      },
    ],
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

/** GitHub Actions workflow commands: annotations on the object's line in the pull request. */
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function github(report: CheckReport): string {
  const lines: string[] = [];
  for (const r of report.results) {
    const where = `file=${escapeProperty(r.head.source)},line=${r.head.line}`;
    const title = `title=${escapeProperty(`gossip-safe: ${label(r)}`)}`;
    if (r.message !== undefined) lines.push(`::error ${where},${title}::${escapeData(r.message)}`);
    for (const w of r.warnings) lines.push(`::warning ${where},${title}::${escapeData(w)}`);
  }
  const s = summarize(report.results);
  lines.push(`gossip-safe check (${report.mode}): ${s.objects} object${s.objects === 1 ? '' : 's'}, ${s.denied} denied, ${s.warned} with warnings`);
  return `${lines.join('\n')}\n`;
}

export function formatReport(report: CheckReport, format: OutputFormat): string {
  switch (format) {
    case 'text':
      return text(report);
    case 'json':
      return `${JSON.stringify(document(report), null, 2)}\n`;
    case 'yaml':
      // Through JSON first: the YAML is exactly the -o json document.
      return stringify(JSON.parse(JSON.stringify(document(report))), { lineWidth: 0 });
    case 'junit':
      return junit(report);
    case 'sarif':
      return sarif(report);
    case 'github':
      return github(report);
  }
}
