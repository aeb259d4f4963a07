/**
 * The audit's ONE seam to the webhook's logic: every verdict `gossip-safe audit` reports on a
 * template or a pod comes from here, and this file is the only audit file that imports from
 * src/cli/check-evaluate, src/mutate, src/validate or src/webhook. Rewiring the audit to a new
 * rule registry means changing this file alone.
 */
import type { PodTemplateSpec } from '../k8s/types.js';
import { checkPair, MUTATION_WARNING_RULE, type Finding } from '../offline/check-pair.js';
import type { K8sObject } from '../offline/manifests.js';
import { podTemplateOf } from '../offline/objects.js';
import { selectDatastore } from '../datastore/select-container.js';
import type { ProfileSet } from '../profiles/types.js';
import { unfinishedRollout } from '../datastore/rollout.js';
import type { ValidationMode } from '../validate/types.js';
import { createEndpoints, type WebhookEndpoint } from '../webhook/endpoints.js';

export { MUTATION_WARNING_RULE };
export type { Finding } from '../offline/check-pair.js';

export interface JudgeInput {
  /** A Pod, StatefulSet, Deployment or DaemonSet as read from the cluster. */
  readonly object: K8sObject;
  readonly namespace: string;
  /** The namespace's `gossip-safe.io/policy` mode; the audit uses warn where none is set. */
  readonly mode: ValidationMode;
  /** Namespace labelled `gossip-safe.io/inject=enabled`: new pods of a template get the injection. */
  readonly injectionEnabled: boolean;
}

export interface Judgement {
  /** The datastore profile and container, when the object (or its template) has one. */
  readonly datastore?: { readonly profile: string; readonly container: string; readonly image: string };
  /** What the validating webhook would answer for the object created now: denied or not. */
  readonly allowed: boolean;
  readonly findings: readonly Finding[];
  /** Workloads: why the current rollout is unfinished (the rule rollout-in-progress reads the same status). */
  readonly unfinishedRollout?: string;
}

const endpointCache = new WeakMap<ProfileSet, readonly WebhookEndpoint[]>();

function endpointsFor(profiles: ProfileSet): readonly WebhookEndpoint[] {
  let endpoints = endpointCache.get(profiles);
  if (endpoints === undefined) {
    endpoints = createEndpoints({ profiles });
    endpointCache.set(profiles, endpoints);
  }
  return endpoints;
}

/**
 * Judges one object as the webhooks would: a dry run of it as a CREATE through the validating
 * webhook of the namespace's mode (workloads first through the mutating webhook when the
 * namespace is opted in, as their future pods would be). A pod is judged as it runs, without
 * injection: its findings say what it lacks.
 */
export function judge(input: JudgeInput, profiles: ProfileSet): Judgement {
  const template: PodTemplateSpec | undefined = podTemplateOf(input.object);
  const selection = template === undefined ? undefined : selectDatastore(template, profiles).selection;
  if (selection === undefined) return { allowed: true, findings: [] };
  const isPod = input.object.kind === 'Pod';
  const checked = checkPair(
    { head: { source: 'cluster', line: 0, path: [], object: input.object } },
    {
      mode: input.mode,
      assumeInjection: !isPod && input.injectionEnabled,
      defaultNamespace: input.namespace,
      profiles,
      endpoints: endpointsFor(profiles),
    },
  );
  const rollout = isPod ? undefined : unfinishedRollout(input.object.kind ?? '', input.object);
  return {
    datastore: { profile: selection.profile.name, container: selection.container.name, image: selection.container.image ?? '' },
    allowed: checked.allowed,
    findings: checked.findings,
    ...(rollout === undefined ? {} : { unfinishedRollout: rollout }),
  };
}
