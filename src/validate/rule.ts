import type { DatastoreSelection } from '../datastore/select-container.js';
import type { VersionChange } from '../datastore/version-change.js';
import type { PodTemplateSpec, Workload, WorkloadKind } from '../k8s/types.js';
import type { Profile, ProfileSet } from '../profiles/types.js';
import type { Subject } from './subject.js';
import type { Severity } from './types.js';

/** What a rule sees: one object, already checked at the boundary, and its datastore container. */
export interface RuleInput {
  readonly subject: Subject;
  readonly kind: 'Pod' | WorkloadKind;
  readonly operation: 'CREATE' | 'UPDATE';
  readonly profiles: ProfileSet;
  /** The pod itself, or the workload's pod template. */
  readonly template: PodTemplateSpec;
  /** The workload (absent for a Pod). */
  readonly workload?: Workload;
  /** Volumes that outlive the pod beyond its own spec (a StatefulSet's claim templates). */
  readonly persistentVolumeNames: ReadonlySet<string>;
  /** The datastore container of this template and its profile (absent when an UPDATE moved it to another image). */
  readonly selection?: DatastoreSelection;
  /** The datastore's profile: the selection's, or on UPDATE the stored template's. Rules run only where there is one. */
  readonly profile: Profile;
  /** UPDATE: the object as stored, when it has a usable shape. */
  readonly old?: { readonly workload: Workload; readonly template: PodTemplateSpec; readonly persistentVolumeNames: ReadonlySet<string> };
  /** UPDATE: how the datastore image changes (present also when it does not: difference `none`). */
  readonly change?: VersionChange;
}

/** What a rule's check reports: the message (one line, starting with the subject) and the container. */
export interface RuleFinding {
  readonly message: string;
  readonly container?: string;
}

/** Which profiles a rule is about. */
export type ProfileScope = 'all' | 'premigration-required';

/**
 * One validation rule. The registry (`registry.ts`) lists rules in the order their findings are
 * reported and turns findings into violations with the rule's id and severity, so a rule never
 * repeats either.
 */
export interface Rule<Id extends string = string> {
  /** Stable kebab-case id: logs, metrics, SARIF, the README's rules table. */
  readonly id: Id;
  readonly severity: Severity;
  /** What it checks, one sentence (the README's rules table). */
  readonly summary: string;
  /** The fix, one sentence (the README's rules table). */
  readonly fix: string;
  readonly kinds: readonly ('Pod' | WorkloadKind)[];
  readonly operations: readonly ('CREATE' | 'UPDATE')[];
  readonly profiles: ProfileScope;
  /**
   * `introduced`: on UPDATE, reported only when the stored object did not have the problem
   * already (re-applying an unchanged template never repeats the warnings of the first apply).
   */
  readonly onUpdate?: 'always' | 'introduced';
  /** Not reported when one of these rules reports on the same object (one message per problem). */
  readonly suppressedBy?: readonly string[];
  check(input: RuleInput): RuleFinding | undefined;
}

/** Declares a rule, keeping its id as a string-literal type. */
export function defineRule<const Id extends string>(rule: Rule<Id>): Rule<Id> {
  return rule;
}

export function profileInScope(profile: Profile, scope: ProfileScope): boolean {
  return scope === 'all' || profile.premigration === 'required';
}

export const WORKLOADS = ['StatefulSet', 'Deployment', 'DaemonSet'] as const;
