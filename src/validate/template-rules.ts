import { ENV_GOSSIP_NODE_NAME, ENV_POD_UID } from '../contract.js';
import type { Container, PodSpec, PodTemplateSpec } from '../k8s/types.js';
import { DEFAULT_GRACE_SECONDS } from '../mutate/grace-period.js';
import { NODE_NAME_VALUE } from '../mutate/identity-env.js';
import { wantsPerPodNodeName } from '../mutate/node-name.js';
import { selectDatastore } from '../mutate/select-container.js';
import { leaveCommandFor } from '../profiles/profile-set.js';
import type { ProfileSet } from '../profiles/types.js';
import { imageVersion } from '../profiles/version.js';
import type { Subject } from './subject.js';
import type { Violation } from './types.js';

/** GOSSIP_NODE_NAME is per incarnation: `$(POD_UID)` after a POD_UID from metadata.uid, or metadata.uid itself. */
function hasPerPodNodeName(container: Container): boolean {
  const env = container.env ?? [];
  const at = env.findIndex((v) => v.name === ENV_GOSSIP_NODE_NAME);
  const nodeName = env[at];
  if (nodeName === undefined) return false;
  if (nodeName.valueFrom?.fieldRef?.fieldPath === 'metadata.uid') return true;
  const uid = env.findIndex((v) => v.name === ENV_POD_UID && v.valueFrom?.fieldRef?.fieldPath === 'metadata.uid');
  return nodeName.value === NODE_NAME_VALUE && uid >= 0 && uid < at;
}

/**
 * The warning-only rules on a pod or pod template: what gossip-safe's injection would have
 * added is missing. Never denials.
 */
export function templateWarnings(
  subject: Subject,
  template: PodTemplateSpec,
  profiles: ProfileSet,
  persistentVolumeNames: ReadonlySet<string>,
): Violation[] {
  const { selection } = selectDatastore(template, profiles);
  if (selection === undefined || template.spec === undefined) return [];
  const spec: PodSpec = template.spec;
  const { container, profile } = selection;
  const name = container.name;
  const out: Violation[] = [];
  const warn = (rule: string, message: string): void => {
    out.push({ rule, severity: 'warn', message: `${subject.ref}: ${message}`, container: name });
  };

  if (wantsPerPodNodeName(profile, spec, container, persistentVolumeNames) && !hasPerPodNodeName(container)) {
    warn('no-per-pod-node-name', `container "${name}" has no per-pod node name; add env ${ENV_GOSSIP_NODE_NAME}=${NODE_NAME_VALUE}`);
  }
  const leave = leaveCommandFor(profiles, profile, container.image ?? '');
  if (leave !== undefined && container.lifecycle?.preStop === undefined) {
    warn('no-leave-hook', `container "${name}" has no preStop leave hook; add exec: ${leave.join(' ')}`);
  }
  const grace = spec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
  if (grace < profile.minGraceSeconds) {
    warn('grace-below-minimum', `terminationGracePeriodSeconds ${grace} is below the ${profile.name} minimum; set it to ${profile.minGraceSeconds}`);
  }
  if (imageVersion(container.image ?? '') === undefined) {
    warn('image-without-version', `container "${name}" image ${JSON.stringify(container.image ?? '')} has no version tag; pin one`);
  }
  return out;
}
