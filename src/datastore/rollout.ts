import type { Workload } from '../k8s/types.js';

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
