import { isWorkloadKind, type Pod, type PodTemplateSpec, type Workload } from '../k8s/types.js';
import { asTemplate, detectVersionChange } from '../mutate/version-change.js';
import { premigrationViolation } from './pod-rules.js';
import { rolloutViolation } from './rollout.js';
import { subjectOf } from './subject.js';
import { templateWarnings } from './template-rules.js';
import type { ValidationContext, ValidationInput, Violation } from './types.js';
import { versionChangeViolations } from './version-rules.js';

export type { ValidationContext, ValidationInput, ValidationMode, Violation, Severity } from './types.js';
export { RULES, type RuleId } from './rules.js';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A StatefulSet's volumeClaimTemplates outlive its pods: mounts of them count as persistent. */
function claimTemplateNames(workload: Workload): ReadonlySet<string> {
  const claims = workload.spec?.volumeClaimTemplates;
  if (!Array.isArray(claims)) return new Set();
  return new Set(claims.map((c) => c?.metadata?.name).filter((n): n is string => typeof n === 'string'));
}

/** Deny-severity violations first, then warnings, each group in rule order. */
function ordered(violations: readonly Violation[]): Violation[] {
  return [...violations.filter((v) => v.severity === 'deny'), ...violations.filter((v) => v.severity === 'warn')];
}

function validatePodCreate(input: ValidationInput, pod: Pod, ctx: ValidationContext): Violation[] {
  const template = asTemplate(pod);
  if (template === undefined) return [];
  const subject = subjectOf(input);
  const denial = premigrationViolation(subject, pod, ctx.profiles);
  return ordered([...(denial === undefined ? [] : [denial]), ...templateWarnings(subject, template, ctx.profiles, new Set())]);
}

function validateWorkload(input: ValidationInput, workload: Workload, ctx: ValidationContext): Violation[] {
  const template = asTemplate(workload.spec?.template);
  if (template === undefined) return [];
  const subject = subjectOf(input);
  const warnings = templateWarnings(subject, template, ctx.profiles, claimTemplateNames(workload));
  if (input.operation === 'CREATE') return warnings;

  const old = isObject(input.oldObject) ? (input.oldObject as Workload) : undefined;
  const oldTemplate: PodTemplateSpec | undefined = asTemplate(old?.spec?.template);
  if (old === undefined || oldTemplate === undefined) return warnings;
  // An update warns only about what it introduces: re-applying an unchanged template, or
  // changing only labels, replicas or status, never repeats the warnings of the first apply.
  // Keyed by rule alone: they are about the one datastore container, even if it was renamed.
  const before = new Set(templateWarnings(subject, oldTemplate, ctx.profiles, claimTemplateNames(old)).map((v) => v.rule));
  const introduced = warnings.filter((v) => !before.has(v.rule));
  const change = detectVersionChange(oldTemplate, template, ctx.profiles);
  if (change === undefined) return introduced;
  const rollout = rolloutViolation(subject, input.kind, old, change);
  const versionRules = versionChangeViolations(subject, workload, template, change);
  // One message per problem: an unreadable version change already says to use version tags.
  const unreadable = versionRules.some((v) => v.rule === 'unknown-version-change' || v.rule === 'repository-change-without-migration');
  const rest = unreadable ? introduced.filter((v) => v.rule !== 'image-without-version') : introduced;
  return ordered([...(rollout === undefined ? [] : [rollout]), ...versionRules, ...rest]);
}

/**
 * Every validation rule for one object: the validating webhook and the offline CLI both call
 * this, so they never disagree. Pure; never throws on malformed objects (they yield nothing).
 * Pods are checked at CREATE, workloads at CREATE and UPDATE; DELETE is never denied.
 */
export function validateObject(input: ValidationInput, ctx: ValidationContext): Violation[] {
  if (!isObject(input.object)) return [];
  if (input.kind === 'Pod') return input.operation === 'CREATE' ? validatePodCreate(input, input.object as Pod, ctx) : [];
  if (isWorkloadKind(input.kind) && (input.operation === 'CREATE' || input.operation === 'UPDATE')) {
    return validateWorkload(input, input.object as Workload, ctx);
  }
  return [];
}
