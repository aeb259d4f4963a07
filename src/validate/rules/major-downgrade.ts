import { ANNOTATION_ALLOW_DOWNGRADE } from '../../contract.js';
import { unfinishedRollout } from '../../datastore/rollout.js';
import { isDowngrade, isRollback } from '../../datastore/version-change.js';
import { versionPair } from '../messages.js';
import { defineRule, WORKLOADS } from '../rule.js';

/**
 * Every profile with versioned images: no datastore reads data files of a newer major. A
 * rollback while the rollout it undoes is unfinished is allowed (`rollback-during-rollout` warns);
 * a rollback after it finished is judged like any other downgrade.
 */
export const majorDowngrade = defineRule({
  id: 'major-downgrade',
  severity: 'deny',
  summary:
    'The major version goes down (4.1 -> 3.11): older versions cannot read newer data files. Not while rolling back an unfinished rollout to the version it came from (see `rollback-during-rollout`).',
  fix: 'Keep the version, or set `metadata.annotations["gossip-safe.io/allow-downgrade"]="true"` (on the workload or its template) if no newer data was written. A downgrade gets no migration step.',
  kinds: WORKLOADS,
  operations: ['UPDATE'],
  profiles: 'all',
  check({ subject, kind, workload, template, change, old }) {
    if (change === undefined || change.difference !== 'major' || !isDowngrade(change)) return undefined;
    if (old !== undefined && isRollback(change, old.template) && unfinishedRollout(kind, old.workload) !== undefined) return undefined;
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
