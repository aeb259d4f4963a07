import { ANNOTATION_ALLOW_DOWNGRADE } from '../contract.js';
import type { VersionChange } from '../datastore/version-change.js';
import type { PodTemplateSpec, Workload } from '../k8s/types.js';
import { judgePath, type PathJudgement } from '../profiles/upgrade-paths.js';

/** What the profile's upgrade-path table says about a workload's version change (none when no row covers it). */
export function pathJudgement(change: VersionChange | undefined): PathJudgement | undefined {
  if (change === undefined || change.difference === 'none' || change.difference === 'unknown') return undefined;
  const { oldVersion, newVersion } = change;
  if (oldVersion === undefined || newVersion === undefined) return undefined;
  return judgePath(change.profile, change.oldImage, change.newImage, oldVersion, newVersion);
}

/** `gossip-safe.io/allow-downgrade: "true"` on the workload or its template. */
export function downgradeAllowed(workload: Workload | undefined, template: PodTemplateSpec): boolean {
  return [workload?.metadata?.annotations, template.metadata?.annotations].some((a) => a?.[ANNOTATION_ALLOW_DOWNGRADE] === 'true');
}

export const ALLOW_DOWNGRADE_FIX = `metadata.annotations["${ANNOTATION_ALLOW_DOWNGRADE}"]="true"`;
