import { ENV_GOSSIP_NODE_NAME, ENV_POD_UID } from '../../contract.js';
import { NODE_NAME_VALUE } from '../../datastore/conventions.js';
import { wantsPerPodNodeName } from '../../datastore/persistence.js';
import type { Container } from '../../k8s/types.js';
import { defineRule, WORKLOADS } from '../rule.js';

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

export const noPerPodNodeName = defineRule({
  id: 'no-per-pod-node-name',
  severity: 'warn',
  summary: 'The profile wants a per-incarnation gossip node name and the container lacks `GOSSIP_NODE_NAME=$(POD_UID)` (after `POD_UID`).',
  fix: 'Enable injection, or add the variables.',
  kinds: ['Pod', ...WORKLOADS],
  operations: ['CREATE', 'UPDATE'],
  profiles: 'all',
  onUpdate: 'introduced',
  check({ subject, template, selection, persistentVolumeNames }) {
    if (selection === undefined) return undefined;
    const { container, profile } = selection;
    if (template.spec == null || !wantsPerPodNodeName(profile, template.spec, container, persistentVolumeNames, template.metadata?.labels)) return undefined;
    if (hasPerPodNodeName(container)) return undefined;
    return {
      message: `${subject.ref}: container "${container.name}" has no per-pod node name; add env ${ENV_GOSSIP_NODE_NAME}=${NODE_NAME_VALUE}`,
      container: container.name,
    };
  },
});
