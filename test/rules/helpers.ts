import type { Workload } from '../../src/k8s/types.js';
import { BUILTIN_PROFILES } from '../../src/profiles/builtin.js';
import { createProfileSet } from '../../src/profiles/profile-set.js';
import { validateObject, type ValidationInput } from '../../src/validate/index.js';
import { loadReview } from '../helpers/fixtures.js';

export const ctx = { profiles: createProfileSet(BUILTIN_PROFILES) };
const KEY = 'gossip-safe.io/migrate-from-image';
export const UNFINISHED = { replicas: 3, updatedReplicas: 1, currentRevision: 'a', updateRevision: 'b', observedGeneration: 2 };
export const FINISHED = { replicas: 3, updatedReplicas: 3, currentRevision: 'b', updateRevision: 'b', observedGeneration: 2 };
const recorded = loadReview('statefulset-update-cassandra-3.11-to-4.1.json').request;

/** A StatefulSet UPDATE from the recording: the stored object runs `stored.image` (with `stored.from` as its migrate-from-image). */
export function stsUpdate(
  stored: { image: string; from?: string; status?: Record<string, unknown> },
  next: { image: string; from?: string },
): ValidationInput {
  const old = structuredClone(recorded.oldObject) as Workload;
  const now = structuredClone(recorded.object) as Workload;
  old.metadata = { ...old.metadata, generation: 2 };
  old.status = stored.status ?? FINISHED;
  for (const [w, s] of [[old, stored], [now, next]] as const) {
    const t = w.spec!.template!;
    t.spec!.containers[0]!.image = s.image;
    t.metadata = { ...t.metadata };
    if (s.from === undefined) delete t.metadata.annotations;
    else t.metadata.annotations = { [KEY]: s.from };
  }
  return { operation: 'UPDATE', kind: 'StatefulSet', namespace: 'db', name: 'cassandra', object: now, oldObject: old };
}

export const ruleIds = (input: ValidationInput): string[] => validateObject(input, ctx).map((v) => v.rule);
