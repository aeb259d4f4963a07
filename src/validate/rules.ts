import type { Severity } from './types.js';

/**
 * Every validation rule: a stable kebab-case id (logs, metrics, SARIF), its severity, and what
 * it checks. The README's "Validation rules" table mirrors this list.
 */
export const RULES = {
  'version-change-without-migration': {
    severity: 'deny',
    summary: 'A workload update changes the datastore version without a matching IP-migration step.',
  },
  'repository-change-without-migration': {
    severity: 'deny',
    summary: 'A workload update moves the datastore to another image repository whose version cannot be read, without a migration step.',
  },
  'rollout-in-progress': {
    severity: 'deny',
    summary: "A workload update changes the datastore version while the previous rollout is unfinished.",
  },
  'major-downgrade': {
    severity: 'deny',
    summary: 'A workload update lowers the major version, unless gossip-safe.io/allow-downgrade is "true".',
  },
  'migrate-from-without-init-container': {
    severity: 'deny',
    summary: 'A pod declares gossip-safe.io/migrate-from-image but has no gossip-premigrate init container.',
  },
  'skipped-major': {
    severity: 'warn',
    summary: "An upgrade jumps over a step of the profile's supported upgrade path.",
  },
  'unknown-version-change': {
    severity: 'warn',
    summary: 'The datastore image changes but a version cannot be read from one of the tags.',
  },
  'no-per-pod-node-name': {
    severity: 'warn',
    summary: 'The profile wants GOSSIP_NODE_NAME=$(POD_UID) and the container lacks it.',
  },
  'no-leave-hook': {
    severity: 'warn',
    summary: 'The profile has a graceful-leave command and the container has no preStop hook.',
  },
  'grace-below-minimum': {
    severity: 'warn',
    summary: "terminationGracePeriodSeconds is below the profile's minimum.",
  },
  'image-without-version': {
    severity: 'warn',
    summary: 'The datastore image has no version tag (untagged, latest, or digest only).',
  },
} as const satisfies Record<string, { severity: Severity; summary: string }>;

export type RuleId = keyof typeof RULES;
