import type { PodTemplateSpec } from '../k8s/types.js';
import type { K8sObject, ManifestObject } from './manifests.js';

/** Where each kind keeps the pod template the webhook would see as pods. */
const TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: [],
  StatefulSet: ['spec', 'template'],
  Deployment: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

export function templatePath(kind: string | undefined): readonly string[] | undefined {
  return kind === undefined ? undefined : TEMPLATE_PATHS[kind];
}

export function getPath(root: unknown, path: readonly (string | number)[]): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

/** Returns a copy of `root` with `value` at `path` (the path must exist up to its last key). */
export function setPath<T>(root: T, path: readonly (string | number)[], value: unknown): T {
  if (path.length === 0) return value as T;
  const copy = structuredClone(root);
  const parent = getPath(copy, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path[path.length - 1]!] = value;
  return copy;
}

/** The pod template of an object, when its kind has one and it is a mapping. */
export function podTemplateOf(object: K8sObject): PodTemplateSpec | undefined {
  const path = templatePath(object.kind);
  if (path === undefined) return undefined;
  const template = getPath(object, path);
  return typeof template === 'object' && template !== null && !Array.isArray(template) ? (template) : undefined;
}

/** The API group of an apiVersion: `apps/v1` -> `apps`, `v1` -> `` (core). */
function groupOf(apiVersion: string | undefined): string {
  const slash = (apiVersion ?? '').indexOf('/');
  return slash < 0 ? '' : (apiVersion ?? '').slice(0, slash);
}

export function namespaceOf(object: K8sObject, defaultNamespace: string): string {
  return object.metadata?.namespace ?? defaultNamespace;
}

/**
 * The identity the apiserver gives an object: group, kind, namespace and name. The API version
 * is left out on purpose: `apps/v1beta2` and `apps/v1` address the same StatefulSet.
 */
export function objectKey(object: K8sObject, defaultNamespace: string): string {
  return [groupOf(object.apiVersion), object.kind ?? '', namespaceOf(object, defaultNamespace), object.metadata?.name ?? ''].join('/');
}

/** `StatefulSet default/cassandra`, for messages and test names. */
export function describeObject(object: K8sObject, defaultNamespace: string): string {
  const name = object.metadata?.name ?? (typeof object.metadata?.['generateName'] === 'string' ? `${object.metadata['generateName']}*` : '(unnamed)');
  return `${object.kind ?? '?'} ${namespaceOf(object, defaultNamespace)}/${name}`;
}

export interface ObjectPair {
  readonly head: ManifestObject;
  /** The same object in the base; absent for a new object. */
  readonly base?: ManifestObject;
}

/**
 * Pairs every head object with the base object of the same identity. Objects only in the base
 * are deletions, which the webhook never denies, so they are returned apart for the log.
 */
export function pairObjects(
  base: readonly ManifestObject[],
  head: readonly ManifestObject[],
  defaultNamespace: string,
): { pairs: ObjectPair[]; deleted: ManifestObject[]; duplicates: string[] } {
  const duplicates: string[] = [];
  const index = (objects: readonly ManifestObject[]) => {
    const byKey = new Map<string, ManifestObject>();
    for (const o of objects) {
      const key = objectKey(o.object, defaultNamespace);
      if (o.object.metadata?.name !== undefined && byKey.has(key)) duplicates.push(`${describeObject(o.object, defaultNamespace)} (${o.source}:${o.line})`);
      byKey.set(key, o);
    }
    return byKey;
  };
  const baseByKey = index(base);
  const headKeys = new Set<string>();
  const pairs: ObjectPair[] = head.map((h) => {
    const key = objectKey(h.object, defaultNamespace);
    headKeys.add(key);
    const b = h.object.metadata?.name === undefined ? undefined : baseByKey.get(key);
    return b === undefined ? { head: h } : { head: h, base: b };
  });
  index(head);
  const deleted = [...baseByKey.entries()].filter(([key]) => !headKeys.has(key)).map(([, o]) => o);
  return { pairs, deleted, duplicates };
}
