import { configVolumeProblem } from '../../datastore/premigration.js';
import { defineRule } from '../rule.js';

/** `gossip-safe.io/premigrate-config-volume` must name a volume of the pod (or a claim template). */
export const premigrateConfigVolumeUnknown = defineRule({
  id: 'premigrate-config-volume-unknown',
  severity: 'deny',
  summary: '`gossip-safe.io/premigrate-config-volume` names no volume of the pod or template (nor a volumeClaimTemplate).',
  fix: 'Name the volume that holds the old version\'s config directory, or remove the annotation.',
  kinds: ['Pod', 'StatefulSet', 'Deployment', 'DaemonSet'],
  operations: ['CREATE', 'UPDATE'],
  profiles: 'premigration-required',
  onUpdate: 'introduced',
  check({ subject, template, selection, persistentVolumeNames }) {
    const problem = configVolumeProblem(template, persistentVolumeNames);
    if (problem === undefined) return undefined;
    return { message: `${subject.ref}: ${problem}`, ...(selection === undefined ? {} : { container: selection.container.name }) };
  },
});
