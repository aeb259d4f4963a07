import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { kubectlOk, runKubectl, type KubectlRun } from './kubectl.js';
import { waitFor } from './procs.js';
import { loadState, type E2eState } from './state.js';
import { webhookGet } from './webhook.js';

/** One line of the webhook's JSON log that records an admission. */
export interface AdmissionLogLine {
  readonly uid: string;
  readonly webhook: string;
  readonly kind: string;
  readonly operation: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly generateName?: string;
  readonly decision: string;
}

/** What the test files use: kubectl as the admin, namespaces of their own, the webhook's logs and metrics. */
export class Cluster {
  readonly state: E2eState;
  private readonly namespaces: string[] = [];

  constructor() {
    this.state = loadState();
  }

  /** `kubectl ARGS` as the admin; never throws on a non-zero exit (the caller asserts it). */
  kubectl(args: readonly string[], input = ''): Promise<KubectlRun> {
    return runKubectl(this.state.kubectl, this.state.kubeconfig, args, input);
  }

  /** `kubectl ARGS` that must succeed; its stdout. */
  ok(args: readonly string[], input = ''): Promise<string> {
    return kubectlOk(this.state.kubectl, this.state.kubeconfig, args, input);
  }

  async get<T = Record<string, unknown>>(resource: string, name: string, namespace?: string): Promise<T> {
    return JSON.parse(await this.ok([...(namespace === undefined ? [] : ['-n', namespace]), 'get', resource, name, '-o', 'json'])) as T;
  }

  /**
   * A fresh namespace `e2e-PREFIX-xxxx` with `labels`, ready for pods (its ServiceAccount
   * `default` exists: the ServiceAccount admission plugin refuses pods before that).
   */
  async namespace(prefix: string, labels: Record<string, string> = {}): Promise<string> {
    const name = `e2e-${prefix}-${randomBytes(3).toString('hex')}`;
    const labelYaml = Object.entries(labels).map(([k, v]) => `    ${k}: "${v}"`).join('\n');
    await this.ok(['apply', '-f', '-'], `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n${labelYaml === '' ? '' : `  labels:\n${labelYaml}\n`}`);
    this.namespaces.push(name);
    await waitFor(`ServiceAccount ${name}/default`, async () => ((await this.kubectl(['-n', name, 'get', 'serviceaccount', 'default'])).code === 0 ? true : undefined), 60_000);
    return name;
  }

  /** Deletes the namespaces this file made (without waiting for them to go). */
  async cleanup(): Promise<void> {
    if (this.namespaces.length > 0) await this.kubectl(['delete', 'namespace', ...this.namespaces, '--wait=false', '--ignore-not-found']);
  }

  /** Every admission the webhook logged so far (all `serve` processes of this run). */
  admissions(): AdmissionLogLine[] {
    const lines: AdmissionLogLine[] = [];
    for (const line of readFileSync(this.state.webhook.logFile, 'utf8').split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        const o = JSON.parse(line) as Partial<AdmissionLogLine>;
        if (typeof o.uid === 'string' && typeof o.webhook === 'string' && typeof o.decision === 'string') lines.push(o as AdmissionLogLine);
      } catch {
        // not a JSON line
      }
    }
    return lines;
  }

  /** Sum of the samples of a counter in the webhook's /metrics whose labels include `labels`. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const res = await webhookGet(this.state.webhook, '/metrics');
    if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
    let sum = 0;
    for (const line of res.body.split('\n')) {
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? ([-+\d.eE]+|NaN)$/.exec(line);
      if (m === null || m[1] !== name) continue;
      const have: Record<string, string | undefined> = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1]!, x[2]]));
      if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[3]);
    }
    return sum;
  }
}

/** The `gossip-safe.io/status` annotation of a pod, parsed; undefined when gossip-safe did not inject. */
export function injectionStatus(pod: { metadata: { annotations?: Record<string, string> } }): { profile: string; container: string; injected: string[] } | undefined {
  const raw = pod.metadata.annotations?.['gossip-safe.io/status'];
  return raw === undefined ? undefined : (JSON.parse(raw) as { profile: string; container: string; injected: string[] });
}

export interface PodJson {
  metadata: { name: string; namespace: string; uid: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    terminationGracePeriodSeconds?: number;
    initContainers?: { name: string; image: string; restartPolicy?: string; env?: { name: string }[] }[];
    containers: { name: string; image: string; env?: { name: string; value?: string }[]; lifecycle?: { preStop?: { exec?: { command: string[] } } } }[];
  };
}
