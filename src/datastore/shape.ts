import type { PodTemplateSpec, Workload } from '../k8s/types.js';

/**
 * The boundary check. Objects arrive as JSON from the apiserver or as YAML from users' files
 * (the offline CLI), and may be anything. Everything gossip-safe reads from a pod template or a
 * workload is checked here, once, against the types Kubernetes gives those fields; code past
 * this point trusts `PodTemplateSpec` and never meets a string where it expects a list.
 *
 * A field that is absent or `null` is fine (YAML `env:` with nothing after it is null); a field
 * of the wrong type is a problem, named by its path so a user can find it in the manifest.
 */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

/** Returns a problem text for `value` at `path`, or undefined when it has the expected shape. */
type Check = (value: unknown, path: string) => string | undefined;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const describe = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'a list' : isRecord(v) ? 'a mapping' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
/** The problem text: `spec.containers is a string, not a list`, or `spec is missing`. */
const wrong = (p: string, v: unknown, want: string): string => (v === undefined ? `${p} is missing` : `${p} is ${describe(v)}, not ${want}`);

const str: Check = (v, p) => (typeof v === 'string' ? undefined : wrong(p, v, 'a string'));
const num: Check = (v, p) => (typeof v === 'number' && Number.isFinite(v) ? undefined : wrong(p, v, 'a number'));
const anything: Check = () => undefined;

/** Absent or null is accepted; anything else must pass `check`. */
function optional(check: Check): Check {
  return (v, p) => (v === undefined || v === null ? undefined : check(v, p));
}

function listOf(item: Check): Check {
  return (v, p) => {
    if (!Array.isArray(v)) return wrong(p, v, 'a list');
    for (let i = 0; i < v.length; i++) {
      const problem = item(v[i], `${p}[${i}]`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  };
}

/** A mapping whose listed fields pass their checks; other fields are kept and not looked at. */
function record(fields: Readonly<Record<string, Check>>): Check {
  const entries = Object.entries(fields);
  return (v, p) => {
    if (!isRecord(v)) return wrong(p, v, 'a mapping');
    for (const [key, check] of entries) {
      const problem = check(v[key], `${p}.${key}`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  };
}

/** labels and annotations: a mapping of strings. */
const stringMap: Check = (v, p) => {
  if (!isRecord(v)) return wrong(p, v, 'a mapping');
  for (const [key, value] of Object.entries(v)) {
    if (typeof value !== 'string') return `${p}[${JSON.stringify(key)}] is ${describe(value)}, not a string`;
  }
  return undefined;
};

const strings = listOf(str);

const metadata = record({
  name: optional(str),
  generateName: optional(str),
  namespace: optional(str),
  labels: optional(stringMap),
  annotations: optional(stringMap),
  managedFields: optional(listOf(anything)),
});

const envVar = record({
  name: str,
  value: optional(str),
  valueFrom: optional(record({ fieldRef: optional(record({ fieldPath: optional(str) })) })),
});

const handler = record({ exec: optional(record({ command: optional(strings) })) });

const container = record({
  name: str,
  image: optional(str),
  command: optional(strings),
  args: optional(strings),
  env: optional(listOf(envVar)),
  envFrom: optional(listOf(anything)),
  volumeMounts: optional(listOf(record({ name: str, mountPath: str }))),
  lifecycle: optional(record({ preStop: optional(handler), postStart: optional(handler) })),
});

const podSpec = record({
  containers: listOf(container),
  initContainers: optional(listOf(container)),
  volumes: optional(listOf(record({ name: str, persistentVolumeClaim: optional(record({})) }))),
  terminationGracePeriodSeconds: optional(num),
});

const template = record({ metadata: optional(metadata), spec: podSpec });

const workload = record({
  metadata: optional(metadata),
  spec: record({
    replicas: optional(num),
    template,
    volumeClaimTemplates: optional(listOf(record({ metadata: optional(metadata) }))),
  }),
  status: optional(record({})),
});

function checked<T>(check: Check, value: unknown, path: string): Checked<T> {
  const problem = check(value, path);
  return problem === undefined ? { ok: true, value: value as T } : { ok: false, problem };
}

/** A Pod, or the pod template of a workload (`path` names it in the problem text). */
export function checkTemplate(value: unknown, path = 'pod'): Checked<PodTemplateSpec> {
  return checked(template, value, path);
}

/** A StatefulSet, Deployment or DaemonSet with its pod template. */
export function checkWorkload(value: unknown, path = 'object'): Checked<Workload> {
  return checked(workload, value, path);
}

/** The object's metadata, only as far as it can be read safely (for messages about malformed objects). */
export function safeMeta(value: unknown): { name?: string; generateName?: string; namespace?: string } {
  const meta = isRecord(value) ? value['metadata'] : undefined;
  if (!isRecord(meta)) return {};
  const pick = (k: string): string | undefined => (typeof meta[k] === 'string' ? (meta[k]) : undefined);
  const out: { name?: string; generateName?: string; namespace?: string } = {};
  const name = pick('name');
  const generateName = pick('generateName');
  const namespace = pick('namespace');
  if (name !== undefined) out.name = name;
  if (generateName !== undefined) out.generateName = generateName;
  if (namespace !== undefined) out.namespace = namespace;
  return out;
}
