import { rolloutShape } from '../../datastore/rollout-shape.js';
import { isDowngrade, needsPremigration } from '../../datastore/version-change.js';
import { versionPair } from '../messages.js';
import { defineRule } from '../rule.js';

/**
 * Rollout shape for datastores whose upgrades need pre-migration: one node at a time, each
 * pre-migrated on its new IP while its peers are up.
 */
export const rolloutMaxUnavailable = defineRule({
  id: 'rollout-max-unavailable',
  severity: 'deny',
  summary:
    'A StatefulSet version change that needs pre-migration with `updateStrategy.rollingUpdate.maxUnavailable` above 1 (a percentage is rounded up, as the controller does): several nodes restart at once, each pre-migrating while its peers are down, and a replication factor of 3 loses quorum.',
  fix: 'Set `maxUnavailable: 1` (or remove it) for the version change.',
  kinds: ['StatefulSet'],
  operations: ['UPDATE'],
  profiles: 'premigration-required',
  check({ subject, workload, change }) {
    if (workload === undefined || change === undefined || isDowngrade(change) || !needsPremigration(change)) return undefined;
    const shape = rolloutShape(workload);
    if (shape.maxUnavailable <= 1) return undefined;
    return {
      message: `${subject.ref}: ${versionPair(change)} would restart ${shape.maxUnavailable} pods at once (maxUnavailable ${shape.maxUnavailableText}); each pre-migrates while its peers are down; set spec.updateStrategy.rollingUpdate.maxUnavailable to 1`,
      container: change.container,
    };
  },
});

export const rolloutParallelPods = defineRule({
  id: 'rollout-parallel-pods',
  severity: 'warn',
  summary:
    'A StatefulSet of a datastore that needs pre-migration uses `podManagementPolicy: Parallel`: scale-ups and recreated pods start together, and Cassandra and ScyllaDB bootstrap or replace one node at a time. Rolling updates are still one pod at a time.',
  fix: 'Use `podManagementPolicy: OrderedReady` (it can only be set when the StatefulSet is created).',
  kinds: ['StatefulSet'],
  operations: ['CREATE', 'UPDATE'],
  profiles: 'premigration-required',
  onUpdate: 'introduced',
  check({ subject, workload, profile }) {
    if (workload === undefined || !rolloutShape(workload).parallel) return undefined;
    return { message: `${subject.ref}: podManagementPolicy Parallel; ${profile.name} nodes join one at a time: use OrderedReady` };
  },
});

export const rolloutOnDelete = defineRule({
  id: 'rollout-on-delete',
  severity: 'warn',
  summary:
    'A StatefulSet version change that needs pre-migration with `updateStrategy: OnDelete`: pods change version only when someone deletes them, so the roll has no plan and no end gossip-safe can see beyond the status counts.',
  fix: 'Use RollingUpdate (with a `partition` to stage it), or delete the pods one at a time, each after the last is Ready and Up/Normal.',
  kinds: ['StatefulSet'],
  operations: ['UPDATE'],
  profiles: 'premigration-required',
  check({ subject, workload, change }) {
    if (workload === undefined || change === undefined || isDowngrade(change) || !needsPremigration(change)) return undefined;
    if (!rolloutShape(workload).onDelete) return undefined;
    return {
      message: `${subject.ref}: ${versionPair(change)} with updateStrategy OnDelete: pods change version only when deleted; use RollingUpdate with a partition, or delete them one at a time, each after the last is Ready`,
      container: change.container,
    };
  },
});
