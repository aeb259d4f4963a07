import { graceBelowMinimum } from './rules/grace-below-minimum.js';
import { imageWithoutVersion } from './rules/image-without-version.js';
import { majorDowngrade } from './rules/major-downgrade.js';
import { migrateFromWithoutInitContainer } from './rules/migrate-from-without-init-container.js';
import { noLeaveHook } from './rules/no-leave-hook.js';
import { rolloutMaxUnavailable, rolloutOnDelete, rolloutParallelPods } from './rules/rollout-shape.js';
import { operatorManaged } from './rules/operator-managed.js';
import { noPerPodNodeName } from './rules/no-per-pod-node-name.js';
import { repositoryChangeWithoutMigration } from './rules/repository-change-without-migration.js';
import { migrateFromOnDowngrade } from './rules/migrate-from-on-downgrade.js';
import { premigrateConfigVolumeUnknown } from './rules/premigrate-config-volume-unknown.js';
import { premigrationSkipped } from './rules/premigration-skipped.js';
import { rollbackDuringRollout } from './rules/rollback-during-rollout.js';
import { rolloutInProgress } from './rules/rollout-in-progress.js';
import { scaleDuringRollout } from './rules/scale-during-rollout.js';
import { skippedMajor } from './rules/skipped-major.js';
import { riskyVersionChange } from './rules/risky-version-change.js';
import { unsupportedDowngrade } from './rules/unsupported-downgrade.js';
import { unsupportedUpgrade } from './rules/unsupported-upgrade.js';
import { stalePremigrateInitContainer } from './rules/stale-premigrate-init-container.js';
import { unknownVersionChange } from './rules/unknown-version-change.js';
import { versionChangeWithoutMigration } from './rules/version-change-without-migration.js';
import type { Rule } from './rule.js';
import type { Severity } from './types.js';

/**
 * Every validation rule, in the order their findings are reported: denials first, then
 * warnings. Adding a rule is one file in `rules/` (and its test) plus its line here, which
 * places its findings in that order and adds its id to `RuleId`; `npm run docs:rules` then writes
 * the README's rules table from this list (`renderRulesTable`; a test checks they match).
 */
export const REGISTRY = [
  rolloutInProgress,
  scaleDuringRollout,
  stalePremigrateInitContainer,
  versionChangeWithoutMigration,
  repositoryChangeWithoutMigration,
  unsupportedUpgrade,
  rolloutMaxUnavailable,
  majorDowngrade,
  unsupportedDowngrade,
  migrateFromOnDowngrade,
  migrateFromWithoutInitContainer,
  premigrateConfigVolumeUnknown,
  rollbackDuringRollout,
  premigrationSkipped,
  unknownVersionChange,
  skippedMajor,
  riskyVersionChange,
  operatorManaged,
  rolloutParallelPods,
  rolloutOnDelete,
  noPerPodNodeName,
  noLeaveHook,
  graceBelowMinimum,
  imageWithoutVersion,
] as const;

export type RuleId = (typeof REGISTRY)[number]['id'];

/** Id -> severity and summary, for reports (SARIF rule metadata) and tests. */
export const RULES = Object.fromEntries(REGISTRY.map((r) => [r.id, { severity: r.severity, summary: r.summary }])) as {
  readonly [K in RuleId]: { readonly severity: Severity; readonly summary: string };
};

export const RULE_LIST: readonly Rule<RuleId>[] = [...REGISTRY];

/** The README's rules table, row for row. */
export function renderRulesTable(): string {
  const rows = RULE_LIST.map((r) => `| \`${r.id}\` | ${r.severity} | ${r.summary} | ${r.fix} |`);
  return ['| rule | severity | when | fix |', '|---|---|---|---|', ...rows].join('\n');
}
