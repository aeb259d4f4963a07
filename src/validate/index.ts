import { claimTemplateNames } from '../datastore/persistence.js';
import { selectDatastore } from '../datastore/select-container.js';
import { checkTemplate, checkWorkload, safeMeta } from '../datastore/shape.js';
import { detectVersionChange } from '../datastore/version-change.js';
import { leftAlone } from '../datastore/ownership.js';
import { operatorManaged } from './rules/operator-managed.js';
import { warning } from '../datastore/warning.js';
import { isWorkloadKind, type PodTemplateSpec, type Workload } from '../k8s/types.js';
import { RULE_LIST } from './registry.js';
import { profileInScope, type RuleInput } from './rule.js';
import { subjectOf } from './subject.js';
import type { ValidationContext, ValidationInput, Violation } from './types.js';

export type { ValidationContext, ValidationInput, Violation } from './types.js';
export { RULES } from './registry.js';

/** The verdict of the rules on one object: violations in report order, or why it was not reviewed. */
export interface Validation {
  readonly violations: readonly Violation[];
  /** The object failed the boundary check: a warning naming the field, and no rule ran. */
  readonly malformed?: string;
}

type Base = Omit<RuleInput, 'old' | 'change' | 'profile'>;

/** Checks the shape once, then builds what every rule sees. */
function inputOf(input: ValidationInput, ctx: ValidationContext): { base?: Base; malformed?: string } {
  const subject = subjectOf({ ...input, object: { metadata: safeMeta(input.object) } });
  const operation = input.operation === 'CREATE' ? 'CREATE' : 'UPDATE';
  let template: PodTemplateSpec;
  let workload: Workload | undefined;
  if (input.kind === 'Pod') {
    const checked = checkTemplate(input.object, 'pod');
    if (!checked.ok) return { malformed: warning(`${subject.ref}: ${checked.problem}; not reviewed`) };
    template = checked.value;
  } else {
    const checked = checkWorkload(input.object);
    if (!checked.ok) return { malformed: warning(`${subject.ref}: ${checked.problem}; not reviewed`) };
    workload = checked.value;
    template = workload.spec!.template!;
  }
  const { selection } = selectDatastore(template, ctx.profiles);
  const kind = input.kind as RuleInput['kind'];
  return {
    base: {
      subject,
      kind,
      operation,
      profiles: ctx.profiles,
      template,
      ...(workload === undefined ? {} : { workload }),
      persistentVolumeNames: claimTemplateNames(kind, workload),
      ...(selection === undefined ? {} : { selection }),
    },
  };
}

/** UPDATE of a workload: the stored object (when usable) and the datastore's version change. */
function withOld(base: Base, input: ValidationInput, ctx: ValidationContext): RuleInput | undefined {
  const alone = base.selection === undefined ? undefined : { ...base, profile: base.selection.profile };
  if (base.operation !== 'UPDATE' || base.workload === undefined) return alone;
  const checked = checkWorkload(input.oldObject, 'oldObject');
  if (!checked.ok) return alone;
  const template = checked.value.spec!.template!;
  const old = { workload: checked.value, template, persistentVolumeNames: claimTemplateNames(base.kind, checked.value) };
  const change = detectVersionChange(template, base.template, ctx.profiles);
  const profile = base.selection?.profile ?? change?.profile;
  if (profile === undefined) return undefined;
  return { ...base, profile, old, ...(change === undefined ? {} : { change }) };
}

/** The same input as the stored object would have been judged (for rules reported only when introduced). */
function asStored(input: RuleInput): RuleInput | undefined {
  if (input.old === undefined) return undefined;
  const { selection } = selectDatastore(input.old.template, input.profiles);
  if (selection === undefined) return undefined;
  const { old: _old, change: _change, ...rest } = input;
  return { ...rest, workload: input.old.workload, template: input.old.template, persistentVolumeNames: input.old.persistentVolumeNames, selection, profile: selection.profile };
}

/**
 * Every validation rule for one object: the validating webhook and the offline CLI both call
 * this (through the webhook handler), so they never disagree. Pure; never throws: an object
 * that fails the boundary check is not reviewed and says why. Pods are checked at CREATE,
 * workloads at CREATE and UPDATE; DELETE is never denied.
 */
export function evaluate(input: ValidationInput, ctx: ValidationContext): Validation {
  const isPod = input.kind === 'Pod';
  if (!isPod && !isWorkloadKind(input.kind)) return { violations: [] };
  if (input.operation !== 'CREATE' && (isPod || input.operation !== 'UPDATE')) return { violations: [] };
  const { base, malformed } = inputOf(input, ctx);
  if (base === undefined) return malformed === undefined ? { violations: [] } : { violations: [], malformed };
  const full = withOld(base, input, ctx);
  if (full === undefined) return { violations: [] };
  // An operator's object, a Job's pod or a Helm hook: nothing is denied; an operator's gets one warning.
  if (leftAlone(full.profile, full.workload?.metadata ?? full.template.metadata, full.template.metadata) !== undefined) {
    const finding = operatorManaged.check(full);
    return { violations: finding === undefined ? [] : [{ rule: operatorManaged.id, severity: operatorManaged.severity, message: finding.message }] };
  }
  let stored: RuleInput | undefined | null = null;
  const found: Violation[] = [];
  for (const rule of RULE_LIST) {
    if (!rule.kinds.includes(full.kind) || !rule.operations.includes(full.operation)) continue;
    if (!profileInScope(full.profile, rule.profiles)) continue;
    const finding = rule.check(full);
    if (finding === undefined) continue;
    if (rule.onUpdate === 'introduced' && full.operation === 'UPDATE' && full.old !== undefined) {
      stored ??= asStored(full);
      // Keyed by rule alone: it is about the one datastore container, even if it was renamed.
      if (stored !== undefined && profileInScope(stored.profile, rule.profiles) && rule.check(stored) !== undefined) continue;
    }
    found.push({ rule: rule.id, severity: rule.severity, message: finding.message, ...(finding.container === undefined ? {} : { container: finding.container }) });
  }
  const fired = new Set(found.map((v) => v.rule));
  const bySuppression = new Map(RULE_LIST.map((r) => [r.id as string, r.suppressedBy ?? []] as const));
  return { violations: found.filter((v) => !(bySuppression.get(v.rule) ?? []).some((s) => fired.has(s))) };
}

/**
 * The violations alone, without the boundary warning.
 * @internal Test seam: exported for the tests only (knip --production skips @internal).
 */
export function validateObject(input: ValidationInput, ctx: ValidationContext): Violation[] {
  return [...evaluate(input, ctx).violations];
}
