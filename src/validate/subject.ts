import { LABEL_INJECT } from '../contract.js';
import type { ObjectMeta } from '../k8s/types.js';
import type { ValidationInput } from './types.js';

/** The object a message is about, as users name it: `statefulset cassandra-prod/cassandra`. */
export interface Subject {
  /** Lowercase kind and `namespace/name`, the start of every message. */
  readonly ref: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

/**
 * Pods created by a controller have no name yet at admission: the generateName prefix is shown
 * as `prefix*`.
 */
export function subjectOf(input: ValidationInput): Subject {
  const meta = (input.object as { metadata?: ObjectMeta } | undefined)?.metadata;
  const namespace = input.namespace || meta?.namespace || undefined;
  const generated = meta?.generateName ? `${meta.generateName}*` : undefined;
  const name = input.name || meta?.name || generated || '(unnamed)';
  const kind = input.kind.toLowerCase();
  return { ref: `${kind} ${namespace === undefined ? name : `${namespace}/${name}`}`, kind, name, ...(namespace === undefined ? {} : { namespace }) };
}

/** The fix that makes gossip-safe do the work: opting the namespace in to injection. */
export function enableInjection(subject: Subject): string {
  const ns = subject.namespace === undefined ? 'the namespace' : `namespace ${subject.namespace}`;
  return `label ${ns} ${LABEL_INJECT}=enabled`;
}
