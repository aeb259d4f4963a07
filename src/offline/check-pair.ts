import type { AdmissionRequest } from '../admission/types.js';
import type { ProfileSet } from '../profiles/types.js';
import type { ValidationMode } from '../validate/types.js';
import type { WebhookEndpoint } from '../webhook/endpoints.js';
import { injectObject } from './injection.js';
import type { K8sObject, ManifestObject } from './manifests.js';
import { describeObject, namespaceOf, type ObjectPair } from './objects.js';
import { UsageError } from '../errors.js';

/** One finding, as SARIF and JUnit report it: a rule, a level and a one-line message. */
export interface Finding {
  readonly rule: string;
  readonly level: 'error' | 'warning';
  readonly message: string;
}

/** The verdict on one head object: what the validating webhook would answer for it. */
export interface CheckedObject {
  readonly head: ManifestObject;
  readonly operation: 'CREATE' | 'UPDATE';
  readonly namespace: string;
  /** `StatefulSet default/cassandra`. */
  readonly description: string;
  readonly allowed: boolean;
  /** The webhook's denial message (status.message), word for word. */
  readonly message?: string;
  /** The warnings kubectl would show: from the mutating webhook (with --assume-injection), then the validating one. */
  readonly warnings: readonly string[];
  readonly findings: readonly Finding[];
  /** What --assume-injection injected first. */
  readonly injected: readonly string[];
}

export interface CheckOptions {
  readonly mode: ValidationMode;
  readonly assumeInjection: boolean;
  readonly defaultNamespace: string;
  readonly profiles: ProfileSet;
  /** The webhook endpoints (createEndpoints): the verdict comes from the validating handler itself. */
  readonly endpoints: readonly WebhookEndpoint[];
}

/** Rule id for a warning of the mutating webhook (with --assume-injection). */
export const MUTATION_WARNING_RULE = 'mutation-warning';
/** Rule id for an object the validating webhook could not review (it failed the boundary check). */
export const NOT_REVIEWED_RULE = 'malformed-object';

function groupVersion(apiVersion: string | undefined): { group: string; version: string } {
  const [a, b] = (apiVersion ?? '').split('/');
  return b === undefined ? { group: '', version: a ?? '' } : { group: a ?? '', version: b };
}

/**
 * Checks one object pair as the cluster would admit it: the mutating webhook first (only with
 * --assume-injection, where the namespace is taken as opted in), then the validating webhook
 * of the chosen mode, as an UPDATE from the base object or a CREATE of a new one.
 */
export function checkPair(pair: ObjectPair, options: CheckOptions): CheckedObject {
  const path = `/validate/${options.mode}`;
  const endpoint = options.endpoints.find((e) => e.path === path);
  if (endpoint === undefined) throw new UsageError(`check: this build has no ${path} webhook`);

  const operation = pair.base === undefined ? 'CREATE' : 'UPDATE';
  const oldObject = pair.base?.object;
  let object: K8sObject = pair.head.object;
  const warnings: string[] = [];
  let injected: readonly string[] = [];
  if (options.assumeInjection) {
    const result = injectObject({ object, ...(oldObject === undefined ? {} : { oldObject }) }, options.profiles);
    object = result.object;
    injected = result.injected;
    warnings.push(...result.warnings);
  }
  const mutationWarnings = warnings.length;

  const namespace = namespaceOf(object, options.defaultNamespace);
  const name = object.metadata?.name;
  const kind = object.kind ?? '';
  const request: AdmissionRequest = {
    uid: 'gossip-safe-check',
    kind: { ...groupVersion(object.apiVersion), kind },
    ...(name === undefined ? {} : { name }),
    namespace,
    operation,
    object,
    ...(oldObject === undefined ? {} : { oldObject }),
  };
  const outcome = endpoint.handle(request);
  warnings.push(...(outcome.warnings ?? []));

  // The handler's own structured findings: the rules are evaluated once, by the webhook handler.
  const violations = outcome.violations ?? [];
  const ruleMessages = new Set(violations.map((v) => v.message));
  const findings: Finding[] = [
    ...warnings.slice(0, mutationWarnings).map((message) => ({ rule: MUTATION_WARNING_RULE, level: 'warning' as const, message })),
    ...(outcome.warnings ?? []).filter((w) => !ruleMessages.has(w)).map((message) => ({ rule: NOT_REVIEWED_RULE, level: 'warning' as const, message })),
    ...violations.map((v) => ({
      rule: v.rule,
      level: v.severity === 'deny' && options.mode === 'enforce' ? ('error' as const) : ('warning' as const),
      message: v.message,
    })),
  ];
  const message = outcome.allowed ? undefined : (outcome.status?.message ?? 'denied');
  if (message !== undefined && !findings.some((f) => f.level === 'error')) {
    findings.push({ rule: outcome.rules?.[0] ?? 'denied', level: 'error', message });
  }
  return {
    head: pair.head,
    operation,
    namespace,
    description: describeObject(object, options.defaultNamespace),
    allowed: outcome.allowed,
    ...(message === undefined ? {} : { message }),
    warnings,
    findings,
    injected,
  };
}
