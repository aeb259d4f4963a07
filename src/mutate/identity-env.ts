import {
  ENV_GOSSIP_NODE_NAME,
  ENV_POD_IP,
  ENV_POD_NAME,
  ENV_POD_NAMESPACE,
  ENV_POD_UID,
} from '../contract.js';
import { NODE_NAME_VALUE } from '../datastore/conventions.js';
import type { Container, EnvVar } from '../k8s/types.js';
import { warning, type MutationReport } from './report.js';

/** The downward-API identity variables, in the order they are appended. */
const IDENTITY_FIELDS: readonly (readonly [string, string])[] = [
  [ENV_POD_UID, 'metadata.uid'],
  [ENV_POD_NAME, 'metadata.name'],
  [ENV_POD_NAMESPACE, 'metadata.namespace'],
  [ENV_POD_IP, 'status.podIP'],
];

export { NODE_NAME_VALUE };

function fieldRefEnv(name: string, fieldPath: string): EnvVar {
  return { name, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } } };
}

function isFieldRef(v: EnvVar, fieldPath: string): boolean {
  return v.value === undefined && v.valueFrom?.fieldRef?.fieldPath === fieldPath;
}

/**
 * Appends the identity variables a container lacks. Appending (rather than prepending) keeps the
 * patch to `add` operations and leaves the user's variables where they are; `$(POD_UID)` still
 * expands because POD_UID is always before GOSSIP_NODE_NAME. A variable the user defined is never
 * overwritten: when it differs from what gossip-safe would set, a warning says so.
 */
export function ensureIdentityEnv(container: Container, withNodeName: boolean, report: MutationReport): void {
  const env = container.env ?? [];
  const byName = new Map(env.map((v, i) => [v.name, { v, i }] as const));
  const added: EnvVar[] = [];

  for (const [name, fieldPath] of IDENTITY_FIELDS) {
    const existing = byName.get(name);
    if (existing === undefined) {
      added.push(fieldRefEnv(name, fieldPath));
    } else if (!isFieldRef(existing.v, fieldPath)) {
      report.warnings.push(warning(`container "${container.name}": user-defined ${name} kept (gossip-safe expects ${fieldPath})`));
    }
  }

  if (withNodeName) {
    const existing = byName.get(ENV_GOSSIP_NODE_NAME);
    const uid = byName.get(ENV_POD_UID);
    if (existing === undefined) {
      added.push({ name: ENV_GOSSIP_NODE_NAME, value: NODE_NAME_VALUE });
    } else if (existing.v.value !== NODE_NAME_VALUE || existing.v.valueFrom !== undefined) {
      report.warnings.push(warning(`container "${container.name}": user-defined ${ENV_GOSSIP_NODE_NAME} kept; per-pod node name not set`));
    } else if (uid !== undefined && uid.i > existing.i) {
      report.warnings.push(warning(`container "${container.name}": ${ENV_GOSSIP_NODE_NAME} comes before ${ENV_POD_UID}, so $(POD_UID) will not expand`));
    }
  }

  if (added.length > 0) {
    container.env = [...env, ...added];
    for (const v of added) report.injected.push(`env:${v.name}`);
  }
}
