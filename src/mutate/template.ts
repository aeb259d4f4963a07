import { LABEL_INJECT } from '../contract.js';
import type { InjectionStep, InjectionTarget, MutationContext } from './step.js';
import type { Container, PodSpec, PodTemplateSpec } from '../k8s/types.js';
import { ensureGracePeriod } from './grace-period.js';
import { ensureIdentityEnv } from './identity-env.js';
import { ensureLeaveHook } from './leave-hook.js';
import { wantsPerPodNodeName } from '../datastore/persistence.js';
import { premigrateStep } from './premigrate.js';
import { emptyReport } from './report.js';
import type { Mutation } from './result.js';
import { selectDatastore } from '../datastore/select-container.js';
import { leftAlone, leftAloneWarning } from '../datastore/ownership.js';
import { writeStatus } from './status-annotation.js';

const identityStep: InjectionStep = ({ template, container, profile, ctx }, report) =>
  ensureIdentityEnv(
    container,
    wantsPerPodNodeName(profile, template.spec, container, ctx.persistentVolumeNames ?? new Set(), template.metadata?.labels),
    report,
  );

const leaveStep: InjectionStep = ({ template, container, profile, ctx }, report) =>
  ensureLeaveHook(container, profile, ctx.profiles, report, template.metadata?.labels);

const graceStep: InjectionStep = ({ template, profile }, report) => ensureGracePeriod(template.spec, profile, report);

/**
 * The steps applied to a datastore pod at CREATE, in order. premigrateStep comes after
 * identityStep: the init container copies the env, and its script needs POD_IP.
 */
export const POD_INJECTION_STEPS: readonly InjectionStep[] = [identityStep, leaveStep, graceStep, premigrateStep];

/**
 * The copy the steps write to, made copy-on-write: the template, its metadata, its spec, the
 * spec's `containers` list and the datastore container are new objects; everything below them is
 * the original's own, shared. Steps only assign properties of those five (see InjectionStep), so
 * the original is never modified, copying costs five shallow copies instead of the whole pod, and
 * diffPatch skips every shared subtree at once (README, Performance).
 */
function copyForMutation<T extends PodTemplateSpec>(original: T & { spec: PodSpec }, index: number): { template: T & { spec: PodSpec }; container: Container } {
  const containers = [...original.spec.containers];
  const container = { ...containers[index]! };
  containers[index] = container;
  const template = { ...original, spec: { ...original.spec, containers } };
  if (original.metadata != null) template.metadata = { ...original.metadata };
  return { template, container };
}

/**
 * Applies gossip-safe's injection to a pod or a pod template: pure, on a deep copy.
 * The webhook calls it for Pods; the CLI calls it for workload templates.
 */
export function mutatePodTemplate<T extends PodTemplateSpec>(
  original: T,
  ctx: MutationContext,
  steps: readonly InjectionStep[] = POD_INJECTION_STEPS,
): Mutation<T> {
  // The webhook's objectSelector already skips these; the CLI has no selector, so check here too.
  if (original.metadata?.labels?.[LABEL_INJECT] === 'disabled') return { object: original, injected: [], warnings: [] };
  const { selection, warnings } = selectDatastore(original, ctx.profiles);
  if (selection === undefined || original.spec === undefined) return { object: original, injected: [], warnings };
  // An operator's pod (it manages upgrades itself), a Job's pod or a Helm hook: nothing injected.
  const alone = leftAlone(selection.profile, original.metadata);
  if (alone !== undefined) {
    const why = leftAloneWarning(`container "${selection.container.name}"`, selection.profile, alone);
    return { object: original, injected: [], warnings: why === undefined ? warnings : [...warnings, why] };
  }

  const { template, container } = copyForMutation(original as T & { spec: PodSpec }, selection.index);
  const report = emptyReport();
  report.warnings.push(...warnings);
  const target: InjectionTarget = { template, container, profile: selection.profile, ctx };
  for (const step of steps) step(target, report);

  if (report.injected.length > 0) {
    template.metadata ??= {};
    writeStatus(template.metadata, selection.profile.name, container.name, report.injected);
  }
  return {
    object: report.injected.length > 0 ? template : original,
    injected: report.injected,
    warnings: report.warnings,
    profile: selection.profile.name,
    container: container.name,
  };
}
