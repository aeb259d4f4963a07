import type { ObjectMeta } from '../k8s/types.js';
import { OPERATORS } from '../profiles/operators.js';
import type { Profile } from '../profiles/types.js';

/** Why gossip-safe leaves an object alone although it runs a datastore image. */
export type LeftAlone =
  | { readonly reason: 'operator'; readonly operator: string; readonly evidence: string }
  | { readonly reason: 'job' | 'helm-hook'; readonly evidence: string };

type Meta = ObjectMeta | null | undefined;

function ownerReferences(meta: Meta): { apiVersion: string; kind: string }[] {
  const refs = meta?.['ownerReferences'];
  if (!Array.isArray(refs)) return [];
  return refs.flatMap((r: unknown) => {
    if (typeof r !== 'object' || r === null) return [];
    const { apiVersion, kind } = r as Record<string, unknown>;
    return typeof apiVersion === 'string' && typeof kind === 'string' ? [{ apiVersion, kind }] : [];
  });
}

const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');

/**
 * Whether an object (a pod, or a workload with its pod template) is left alone:
 * - owned by an operator that manages the datastore's upgrades (profiles/operators.ts), by an
 *   ownerReference or its labels, unless the profile opts in (`operatorManaged: inject`);
 * - a pod of a Job (or of a CronJob's Job), or a Helm hook (`helm.sh/hook`: tests, pre-upgrade
 *   jobs): it runs the image for a task, it is no datastore node.
 * Pure; tolerates any metadata shape.
 */
export function leftAlone(profile: Profile, object: Meta, template?: Meta): LeftAlone | undefined {
  const metas = [object, template];
  const refs = metas.flatMap(ownerReferences);
  const job = refs.find((r) => groupOf(r.apiVersion) === 'batch' && (r.kind === 'Job' || r.kind === 'CronJob'));
  if (job !== undefined) return { reason: 'job', evidence: `owned by a ${job.kind}` };
  const hook = metas.map((m) => m?.annotations?.['helm.sh/hook']).find((h) => typeof h === 'string');
  if (hook !== undefined) return { reason: 'helm-hook', evidence: `helm.sh/hook=${hook}` };
  if (profile.operatorManaged === 'inject') return undefined;
  for (const op of OPERATORS) {
    const owner = refs.find((r) => op.owners.some((o) => o.group === groupOf(r.apiVersion) && o.kind === r.kind));
    if (owner !== undefined) return { reason: 'operator', operator: op.name, evidence: `owned by ${owner.kind} (${owner.apiVersion})` };
    for (const m of metas) {
      const labels = m?.labels ?? {};
      const label = op.labels.find((l) => typeof labels[l.key] === 'string' && (l.value === undefined || labels[l.key] === l.value));
      if (label !== undefined) return { reason: 'operator', operator: op.name, evidence: `label ${label.key}=${labels[label.key]}` };
    }
  }
  return undefined;
}

/** The warning for an operator's object (none for Jobs and Helm hooks: they are simply not datastore nodes). */
export function leftAloneWarning(ref: string, profile: Profile, why: LeftAlone): string | undefined {
  if (why.reason !== 'operator') return undefined;
  return (
    `${ref}: left alone: ${why.operator} manages this ${profile.name} workload's upgrades and restarts (${why.evidence}); ` +
    `gossip-safe injects nothing and denies nothing here; set operatorManaged: inject in the ${profile.name} profile to opt in`
  );
}
