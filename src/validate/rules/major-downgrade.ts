import { ANNOTATION_ALLOW_DOWNGRADE } from '../../contract.js';
import { isDowngrade } from '../../datastore/version-change.js';
import { versionPair } from '../messages.js';
import { defineRule, WORKLOADS } from '../rule.js';

/** Every profile with versioned images: no datastore reads data files of a newer major. */
export const majorDowngrade = defineRule({
  id: 'major-downgrade',
  severity: 'deny',
  summary: 'The major version goes down (4.1 -> 3.11): older versions cannot read newer data files.',
  fix: 'Keep the version, or set `metadata.annotations["gossip-safe.io/allow-downgrade"]="true"` (on the workload or its template). The migration step is still required.',
  kinds: WORKLOADS,
  operations: ['UPDATE'],
  profiles: 'all',
  check({ subject, workload, template, change }) {
    if (change === undefined || change.difference !== 'major' || !isDowngrade(change)) return undefined;
    const { oldVersion, newVersion } = change;
    if (oldVersion === undefined || newVersion === undefined) return undefined;
    if ([workload?.metadata?.annotations, template.metadata?.annotations].some((a) => a?.[ANNOTATION_ALLOW_DOWNGRADE] === 'true')) return undefined;
    return {
      message:
        `${subject.ref}: container "${change.container}" downgrades ${versionPair(change)}; ${newVersion.major}.x cannot read data files written by ${oldVersion.major}.x; ` +
        `keep ${oldVersion.text}, or set metadata.annotations["${ANNOTATION_ALLOW_DOWNGRADE}"]="true" if no ${oldVersion.major}.x data was written`,
      container: change.container,
    };
  },
});
