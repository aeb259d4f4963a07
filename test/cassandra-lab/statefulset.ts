import type { Pod, Workload } from '../../src/k8s/types.js';
import { mutatePod } from '../../src/mutate/pod.js';
import { applyPatch } from '../../src/patch/diff.js';
import type { MutationContext } from '../../src/mutate/step.js';
import { mutateWorkloadUpdate } from '../../src/mutate/workload.js';
import type { ProfileSet } from '../../src/profiles/types.js';

export const NAMESPACE = 'cassandra-prod';
export const STS_NAME = 'cassandra';

/** What admission does: gossip-safe's mutating webhook, or nothing (the control roll). */
export interface Admission {
  readonly label: string;
  /** StatefulSet UPDATE: the object the apiserver stores. */
  updateWorkload(oldObject: Workload, object: Workload): Workload;
  /** Pod CREATE by the StatefulSet controller: the pod the apiserver stores. */
  createPod(pod: Pod): Pod;
}

/**
 * gossip-safe's mutating webhook, as the apiserver applies it: the JSON patch the webhook
 * returns (workload mutation at UPDATE, pod mutation at CREATE) applied to the request object.
 */
export function gossipSafeAdmission(profiles: ProfileSet): Admission {
  const ctx: MutationContext = { profiles, persistentVolumeNames: new Set(['data']) };
  return {
    label: 'with gossip-safe',
    updateWorkload: (oldObject, object) => applyPatch(object, mutateWorkloadUpdate(oldObject, object, ctx).patch),
    createPod: (pod) => applyPatch(pod, mutatePod(pod, { profiles }).patch),
  };
}

export const noAdmission: Admission = {
  label: 'without gossip-safe',
  updateWorkload: (_old, object) => object,
  createPod: (pod) => pod,
};

/**
 * The StatefulSet controller's part the lab needs: the current template (after admission of
 * each UPDATE), and the pod it creates for an ordinal from that template, with the volume the
 * volumeClaimTemplate `data` gives it.
 */
export class StatefulSetController {
  constructor(
    public workload: Workload,
    private readonly admission: Admission,
  ) {}

  /** `kubectl set image`: the new object goes through admission; the stored one is kept. */
  setImage(image: string, annotations: Readonly<Record<string, string>> = {}): Workload {
    const next = structuredClone(this.workload);
    const template = next.spec!.template!;
    template.spec!.containers[0]!.image = image;
    template.metadata = { ...template.metadata, annotations: { ...template.metadata?.annotations, ...annotations } };
    this.workload = this.admission.updateWorkload(this.workload, next);
    return this.workload;
  }

  podFor(ordinal: number): Pod {
    const template = structuredClone(this.workload.spec!.template!);
    const name = `${STS_NAME}-${ordinal}`;
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        ...template.metadata,
        name,
        namespace: NAMESPACE,
        labels: { ...template.metadata?.labels, 'statefulset.kubernetes.io/pod-name': name },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: STS_NAME, uid: 'lab', controller: true }],
      },
      spec: {
        ...template.spec!,
        hostname: name,
        subdomain: STS_NAME,
        volumes: [...(template.spec?.volumes ?? []), { name: 'data', persistentVolumeClaim: { claimName: `data-${name}` } }],
      },
    };
    return this.admission.createPod(pod);
  }
}
