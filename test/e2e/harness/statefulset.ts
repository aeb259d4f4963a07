import type { Cluster, PodJson } from './cluster.js';
import { waitFor } from './procs.js';

/** The parts of a StatefulSet the scenarios read. */
export interface StsJson {
  metadata: { generation: number; resourceVersion: string };
  spec: { template: { metadata: { annotations?: Record<string, string> }; spec: { containers: { image: string }[] } } };
  status?: { observedGeneration?: number; updateRevision?: string; currentRevision?: string };
}

export type OwnedPod = PodJson & { metadata: { ownerReferences?: { kind: string; name: string }[]; labels?: Record<string, string>; deletionTimestamp?: string } };

/** Pod `cassandra-0` of namespace `ns` once the controller made it; with `uid`, once it was recreated (another uid). */
export const cassandraPod = (c: Cluster, ns: string, uid?: string): Promise<OwnedPod> =>
  waitFor(`pod ${ns}/cassandra-0${uid === undefined ? '' : ' recreated'}`, async () => {
    const run = await c.kubectl(['-n', ns, 'get', 'pod', 'cassandra-0', '-o', 'json']);
    if (run.code !== 0) return undefined;
    const p = JSON.parse(run.stdout) as OwnedPod;
    return uid !== undefined && p.metadata.uid === uid ? undefined : p;
  }, 60_000);

/** The update revision once the controller has observed the latest generation and it differs from the current one. */
export const newUpdateRevision = (c: Cluster, ns: string): Promise<string> =>
  waitFor('the controller to see the new revision', async () => {
    const s = await c.get<StsJson>('statefulset', 'cassandra', ns);
    return s.status?.observedGeneration === s.metadata.generation && s.status.updateRevision !== s.status.currentRevision ? s.status.updateRevision : undefined;
  }, 60_000);
