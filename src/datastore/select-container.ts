import { ANNOTATION_CONTAINER, ANNOTATION_PROFILE } from '../contract.js';
import type { Container, PodTemplateSpec } from '../k8s/types.js';
import { profileForImage } from '../profiles/profile-set.js';
import type { Profile, ProfileSet } from '../profiles/types.js';
import { warning } from './warning.js';

/** The datastore container of a pod (or pod template) and its profile. */
export interface DatastoreSelection {
  readonly container: Container;
  readonly index: number;
  readonly profile: Profile;
}

export interface SelectionResult {
  readonly selection?: DatastoreSelection;
  readonly warnings: string[];
}

/**
 * Finds the one datastore container of a pod, honouring the `gossip-safe.io/container` and
 * `gossip-safe.io/profile` annotations. Never throws: a bad override is a warning, and the pod
 * is left alone rather than guessed at.
 */
export function selectDatastore(template: PodTemplateSpec, profiles: ProfileSet): SelectionResult {
  const containers = template.spec?.containers ?? [];
  const annotations = template.metadata?.annotations ?? {};
  const forcedProfileName = annotations[ANNOTATION_PROFILE];
  const forcedContainer = annotations[ANNOTATION_CONTAINER];
  const warnings: string[] = [];

  let forcedProfile: Profile | undefined;
  if (forcedProfileName !== undefined) {
    forcedProfile = profiles.byName.get(forcedProfileName);
    if (forcedProfile === undefined) {
      const known = [...profiles.byName.keys()].join(', ');
      return { warnings: [warning(`unknown profile "${forcedProfileName}" in ${ANNOTATION_PROFILE} (known: ${known}); nothing injected`)] };
    }
  }

  if (forcedContainer !== undefined) {
    const index = containers.findIndex((c) => c.name === forcedContainer);
    const container = containers[index];
    if (container === undefined) {
      return { warnings: [warning(`${ANNOTATION_CONTAINER} names "${forcedContainer}", which is not a container of this pod; nothing injected`)] };
    }
    const profile = forcedProfile ?? profileForImage(profiles, container.image ?? '');
    if (profile === undefined) {
      return { warnings: [warning(`container "${forcedContainer}" runs no known datastore image; set ${ANNOTATION_PROFILE} to choose one`)] };
    }
    return { selection: { container, index, profile }, warnings };
  }

  const matches: DatastoreSelection[] = [];
  containers.forEach((container, index) => {
    const byImage = profileForImage(profiles, container.image ?? '');
    const profile = forcedProfile === undefined ? byImage : byImage === forcedProfile ? forcedProfile : undefined;
    if (profile !== undefined) matches.push({ container, index, profile });
  });
  if (matches.length === 0 && forcedProfile !== undefined) {
    const only = containers[0];
    if (containers.length === 1 && only !== undefined) return { selection: { container: only, index: 0, profile: forcedProfile }, warnings };
    return { warnings: [warning(`${ANNOTATION_PROFILE} is set but the pod has ${containers.length} containers; set ${ANNOTATION_CONTAINER} too`)] };
  }
  const first = matches[0];
  if (first === undefined) return { warnings };
  if (matches.length > 1) {
    const names = matches.map((m) => m.container.name).join(', ');
    warnings.push(warning(`several datastore containers (${names}); only "${first.container.name}" handled; set ${ANNOTATION_CONTAINER}`));
  }
  return { selection: first, warnings };
}
