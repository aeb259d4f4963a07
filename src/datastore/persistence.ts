import type { Container, PodSpec, Volume, Workload } from '../k8s/types.js';
import type { Profile } from '../profiles/types.js';
import { serverEvidence } from './leave.js';

/**
 * The one persistence decision, for the node name (`wantsPerPodNodeName`) and for pre-migration
 * (`premigration.ts`, the marker directory): a volume outlives the pod when it is a
 * StatefulSet's claim template (`claimTemplates`), a PVC or a hostPath (the data stays on the
 * node, and so does a Consul node ID or a pre-migration marker). emptyDir and generic
 * ephemeral volumes are created and deleted with the pod. A mount through a `subPath` is as
 * persistent as its volume: the path is a directory of that volume.
 */
export function persistentVolumeNamesOf(volumes: readonly Volume[], claimTemplates: ReadonlySet<string>): ReadonlySet<string> {
  const names = new Set(claimTemplates);
  for (const v of volumes) {
    if (v.persistentVolumeClaim != null || (typeof v['hostPath'] === 'object' && v['hostPath'] !== null)) names.add(v.name);
  }
  return names;
}

function covers(mountPath: string, path: string): boolean {
  const m = mountPath.replace(/\/+$/, '');
  return path === m || path.startsWith(`${m}/`);
}

/**
 * Whether `path` in this container lives on a volume that outlives the pod (see
 * `persistentVolumeNamesOf`; `persistentVolumeNames` are the StatefulSet's claim templates).
 * The longest covering mount wins, as in the container's filesystem.
 */
export function isOnPersistentVolume(
  spec: PodSpec,
  container: Container,
  path: string,
  persistentVolumeNames: ReadonlySet<string>,
): boolean {
  const mount = (container.volumeMounts ?? [])
    .filter((m) => covers(m.mountPath, path))
    .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  if (mount === undefined) return false;
  return persistentVolumeNamesOf(spec.volumes ?? [], persistentVolumeNames).has(mount.name);
}

/** Whether the profile's node-name mode asks for `GOSSIP_NODE_NAME=$(POD_UID)` here. */
export function wantsPerPodNodeName(
  profile: Profile,
  spec: PodSpec,
  container: Container,
  persistentVolumeNames: ReadonlySet<string>,
  labels?: Readonly<Record<string, string>> | null,
): boolean {
  switch (profile.nodeNameMode) {
    case 'always':
      return true;
    case 'never':
      return false;
    case 'unless-persistent-data': {
      // A server keeps its name (Raft); so does an agent whose data (node ID) persists, wherever its image keeps it.
      if (serverEvidence(profile, container, labels) !== undefined) return false;
      const paths = [...(profile.persistentDataPath === undefined ? [] : [profile.persistentDataPath]), ...profile.dataDirs];
      return !paths.some((p) => isOnPersistentVolume(spec, container, p, persistentVolumeNames));
    }
  }
}

/**
 * A StatefulSet's volumeClaimTemplates outlive its pods, as PVC volumes do in the pods it
 * creates: mounts of them count as persistent. Only StatefulSets have them (the apiserver drops
 * the field from other kinds, so a Deployment's is ignored here too).
 */
export function claimTemplateNames(kind: string | undefined, workload: Workload | undefined): ReadonlySet<string> {
  if (kind !== 'StatefulSet') return new Set();
  const claims = workload?.spec?.volumeClaimTemplates;
  if (!Array.isArray(claims)) return new Set();
  return new Set(claims.map((c) => c?.metadata?.name).filter((n): n is string => typeof n === 'string'));
}
