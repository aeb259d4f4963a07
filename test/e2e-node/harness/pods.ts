import type { Cluster } from '../../e2e/harness/cluster.js';
import { waitFor } from '../../e2e/harness/procs.js';

export interface ContainerStatus {
  name: string;
  ready?: boolean;
  started?: boolean;
  restartCount: number;
  state?: { running?: { startedAt?: string }; waiting?: { reason?: string }; terminated?: { exitCode: number; reason?: string; startedAt?: string; finishedAt?: string } };
  lastState?: { terminated?: { exitCode: number; message?: string; startedAt?: string; finishedAt?: string } };
}

export interface PodStatusJson {
  metadata: { name: string; uid: string };
  spec: { nodeName?: string };
  status: { phase?: string; podIP?: string; initContainerStatuses?: ContainerStatus[]; containerStatuses?: ContainerStatus[] };
}

/** Polls the pod until `check` returns a value (bounded); the last seen status is in the timeout error. */
export async function waitForPod<T>(c: Cluster, ns: string, name: string, what: string, check: (pod: PodStatusJson) => T | undefined, timeoutMs = 120_000): Promise<T> {
  let last = '';
  try {
    return await waitFor(
      `pod ${ns}/${name}: ${what}`,
      async () => {
        const r = await c.kubectl(['-n', ns, 'get', 'pod', name, '-o', 'json']);
        if (r.code !== 0) return undefined;
        const pod = JSON.parse(r.stdout) as PodStatusJson;
        last = JSON.stringify(pod.status);
        return check(pod);
      },
      timeoutMs,
      1000,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last status: ${last}`, { cause: err });
  }
}

export const running = (pod: PodStatusJson): PodStatusJson | undefined => (pod.status.phase === 'Running' && (pod.status.containerStatuses ?? []).every((s) => s.state?.running !== undefined) ? pod : undefined);
