import type { Container } from '../../src/k8s/types.js';

/** What the kubelet knows about a pod when it starts a container: the downward-API sources. */
export interface PodFacts {
  readonly uid: string;
  readonly name: string;
  readonly namespace: string;
  readonly ip: string;
}

/**
 * Kubernetes' `$(VAR)` expansion (k8s.io/kubernetes third_party/forked/golang/expansion):
 * `$(NAME)` becomes the value when `lookup` knows NAME and stays literal otherwise, `$$` is an
 * escaped `$`, and an unclosed `$(` or a `$` before any other character is copied as is.
 */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (c !== '$' || i + 1 >= input.length) {
      out += c;
      i += 1;
      continue;
    }
    const next = input[i + 1]!;
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += '$(';
        i += 2;
      } else {
        const name = input.slice(i + 2, close);
        out += lookup(name) ?? `$(${name})`;
        i = close + 1;
      }
    } else {
      out += `$${next}`;
      i += 2;
    }
  }
  return out;
}

function fieldValue(fieldPath: string, pod: PodFacts): string {
  switch (fieldPath) {
    case 'metadata.uid':
      return pod.uid;
    case 'metadata.name':
      return pod.name;
    case 'metadata.namespace':
      return pod.namespace;
    case 'status.podIP':
      return pod.ip;
    default:
      throw new Error(`gossip lab: fieldRef ${fieldPath} is not simulated`);
  }
}

/**
 * The container's environment as the kubelet builds it: entries in order, `fieldRef` values
 * from the pod, and `value` strings expanded against the entries *before* them only.
 */
export function resolveContainerEnv(container: Container, pod: PodFacts): Record<string, string> {
  const env: Record<string, string> = {};
  const known = (name: string): string | undefined => (Object.hasOwn(env, name) ? env[name] : undefined);
  for (const v of container.env ?? []) {
    if (v.value != null || v.valueFrom == null) {
      env[v.name] = expandVars(v.value ?? '', known);
    } else if (v.valueFrom.fieldRef != null) {
      env[v.name] = fieldValue(v.valueFrom.fieldRef.fieldPath, pod);
    } else {
      throw new Error(`gossip lab: env ${v.name} uses a valueFrom source that is not simulated`);
    }
  }
  return env;
}

/** Expands `$(VAR)` in command or args against the container's whole environment. */
export function expandCommand(args: readonly string[], env: Readonly<Record<string, string>>): string[] {
  return args.map((a) => expandVars(a, (name) => (Object.hasOwn(env, name) ? env[name] : undefined)));
}
