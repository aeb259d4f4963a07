import type { Container, PodSpec, PodTemplateSpec } from '../k8s/types.js';
import type { Profile, ProfileSet } from '../profiles/types.js';
import type { MutationReport } from './result.js';

export interface MutationContext {
  readonly profiles: ProfileSet;
  /** Volumes that outlive the pod beyond its own spec: a StatefulSet's volumeClaimTemplates. */
  readonly persistentVolumeNames?: ReadonlySet<string>;
}

/** The pod (or template) being mutated, already cloned, and its datastore container. */
export interface InjectionTarget {
  readonly template: PodTemplateSpec & { spec: PodSpec };
  readonly container: Container;
  readonly profile: Profile;
  readonly ctx: MutationContext;
}

/**
 * One injection. Each step is idempotent: run on its own output it changes nothing.
 * A step writes only by assigning properties of `template`, `template.metadata`,
 * `template.spec` and `container` (copies made for this mutation). Whatever it finds below them
 * belongs to the original object and is shared: build a new value (`container.env = [...env,
 * ...added]`), never change one in place (`env.push`). test/property/admission.test.ts admits
 * frozen reviews, so a step that breaks this fails there.
 */
export type InjectionStep = (target: InjectionTarget, report: MutationReport) => void;
