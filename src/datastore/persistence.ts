import type { Container, PodSpec, Workload } from '../k8s/types.js';
import type { Profile } from '../profiles/types.js';

function covers(mountPath: string, path: string): boolean {
  const m = mountPath.replace(/\/+$/, '');
  return path === m || path.startsWith(`${m}/`);
}

/**
 * Whether `path` in this container lives on a volume that outlives the pod: a PVC in the pod
 * spec, or one of the StatefulSet's volumeClaimTemplates (named in `persistentVolumeNames`).
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
  if (persistentVolumeNames.has(mount.name)) return true;
  const volume = (spec.volumes ?? []).find((v) => v.name === mount.name);
  return volume?.persistentVolumeClaim !== undefined;
}

/** Whether the profile's node-name mode asks for `GOSSIP_NODE_NAME=$(POD_UID)` here. */
export function wantsPerPodNodeName(
  profile: Profile,
  spec: PodSpec,
  container: Container,
  persistentVolumeNames: ReadonlySet<string>,
): boolean {
  switch (profile.nodeNameMode) {
    case 'always':
      return true;
    case 'never':
      return false;
    case 'unless-persistent-data':
      return !isOnPersistentVolume(spec, container, profile.persistentDataPath ?? '/', persistentVolumeNames);
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
