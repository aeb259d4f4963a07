import type { Workload } from '../k8s/types.js';
import type { VersionChange } from '../mutate/version-change.js';
import type { Subject } from './subject.js';
import type { Violation } from './types.js';
import { versionPair } from './version-rules.js';

function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/**
 * Why the previous rollout of `old` (the object as stored) is unfinished, or undefined when it
 * is done. Status counters are omitted by the apiserver when zero, so absent counts as 0.
 */
export function unfinishedRollout(kind: string, old: Workload): string | undefined {
  const status = (typeof old.status === 'object' && old.status !== null ? old.status : {}) as Record<string, unknown>;
  const reasons: string[] = [];
  switch (kind) {
    case 'StatefulSet': {
      const current = status['currentRevision'];
      const update = status['updateRevision'];
      if (typeof current === 'string' && typeof update === 'string' && current !== update) {
        reasons.push(`current revision ${current}, update revision ${update}`);
      }
      const replicas = count(status['replicas']);
      const updated = count(status['updatedReplicas']);
      if (updated < replicas) reasons.push(`${updated}/${replicas} pods updated`);
      break;
    }
    case 'Deployment': {
      const replicas = count(status['replicas']);
      const updated = count(status['updatedReplicas']);
      if (updated < replicas) reasons.push(`${updated}/${replicas} pods updated`);
      break;
    }
    case 'DaemonSet': {
      const desired = count(status['desiredNumberScheduled']);
      const updated = count(status['updatedNumberScheduled']);
      if (updated < desired) reasons.push(`${updated}/${desired} nodes updated`);
      break;
    }
    default:
      return undefined;
  }
  const generation = old.metadata?.['generation'];
  const observed = status['observedGeneration'];
  if (typeof generation === 'number' && typeof observed === 'number' && observed < generation) {
    reasons.push(`generation ${generation} not yet observed by the controller`);
  }
  return reasons.length === 0 ? undefined : reasons.join(', ');
}

/** A datastore version change on top of an unfinished rollout: two version changes in flight. */
export function rolloutViolation(subject: Subject, kind: string, old: Workload, change: VersionChange): Violation | undefined {
  if (change.profile.premigration !== 'required' || change.difference === 'none') return undefined;
  const reason = unfinishedRollout(kind, old);
  if (reason === undefined) return undefined;
  const target = `${subject.kind}/${subject.name}${subject.namespace === undefined ? '' : ` -n ${subject.namespace}`}`;
  const message =
    `${subject.ref}: previous rollout still in progress (${reason}); ` +
    `finish it (kubectl rollout status ${target}) or roll it back (kubectl rollout undo ${target}) before changing ${versionPair(change)}`;
  return { rule: 'rollout-in-progress', severity: 'deny', message, container: change.container };
}
