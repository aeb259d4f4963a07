import { diffPatch, type PatchOperation } from '../patch/diff.js';

/**
 * What a mutation did to one object: the one result type of `mutate/`, for a pod, a pod
 * template, a workload, and the CLI's manifest objects alike.
 */
export interface Mutation<T> {
  /** The mutated copy, or the input itself when nothing changed; the input is never modified. */
  readonly object: T;
  /** What was injected (logs, metrics, the status annotation); empty when nothing changed. */
  readonly injected: readonly string[];
  readonly warnings: readonly string[];
  /** The profile that matched, when one did. */
  readonly profile?: string;
  /** The datastore container, when one was selected. */
  readonly container?: string;
}

/** A mutation with its JSON patch (what a webhook answers), derived from the mutation by diffPatch. */
export interface PatchedMutation<T> extends Mutation<T> {
  readonly patch: readonly PatchOperation[];
}

/** Adds the patch from `input` to `mutation.object`; empty when the object is the input itself. */
export function withPatch<T>(input: T, mutation: Mutation<T>): PatchedMutation<T> {
  return { ...mutation, patch: diffPatch(input, mutation.object) };
}

/** The injection steps' accumulator: the lists that become a Mutation's `injected` and `warnings`. */
export type MutationReport = { -readonly [K in 'injected' | 'warnings']: string[] };
