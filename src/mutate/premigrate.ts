import {
  ANNOTATION_MIGRATE_FROM,
  ANNOTATION_PREMIGRATE_TIMEOUT,
  ENV_PREMIGRATE_TIMEOUT,
  ENV_SOURCE_IMAGE,
  ENV_TARGET_IMAGE,
  PREMIGRATE_CONTAINER,
} from '../contract.js';
import type { Container, EnvVar } from '../k8s/types.js';
import { premigrateRuntimeEnv, RUNTIME_ENV_NAMES } from '../premigrate/env.js';
import { premigrateScript } from '../premigrate/index.js';
import { profileForImage } from '../profiles/profile-set.js';
import type { Profile, ProfileSet } from '../profiles/types.js';
import { sameVersion } from '../datastore/identity.js';
import { parsePremigrateTimeout } from './premigrate-timeout.js';
import { warning } from './report.js';
import type { InjectionStep } from './template.js';

export const PREMIGRATE_INJECTED = `initContainer:${PREMIGRATE_CONTAINER}`;

/** Fields of the main container the init container takes over (besides env and args). */
const COPIED_FIELDS = ['workingDir', 'envFrom', 'volumeMounts', 'volumeDevices', 'resources', 'securityContext', 'imagePullPolicy'] as const;

/** Why the annotation cannot be acted on, or undefined when the init container should be added. */
function reasonToSkip(from: string, container: Container, profile: Profile, profiles: ProfileSet): string | undefined {
  const target = container.image ?? '';
  if (from === '') return `${ANNOTATION_MIGRATE_FROM} is empty`;
  if (profile.premigrateScript === undefined) {
    return `profile "${profile.name}" has no pre-migration script, so ${ANNOTATION_MIGRATE_FROM} is ignored`;
  }
  if (profile.dataDirs.length === 0) return `profile "${profile.name}" lists no dataDirs for its pre-migration script`;
  const fromProfile = profileForImage(profiles, from);
  if (fromProfile !== undefined && fromProfile !== profile) {
    return `${ANNOTATION_MIGRATE_FROM} "${from}" is a ${fromProfile.name} image, but container "${container.name}" runs ${profile.name}`;
  }
  if (sameVersion(from, target)) {
    return `${ANNOTATION_MIGRATE_FROM} "${from}" is the version container "${container.name}" already runs ("${target}"): nothing to migrate`;
  }
  return undefined;
}

function isUnder(path: string, dir: string): boolean {
  const p = path.replace(/\/+$/, '');
  const d = dir.replace(/\/+$/, '');
  return p === d || p.startsWith(`${d}/`);
}

/**
 * The init container: the old image, the main container's environment and volumes, the script.
 * `runtimeEnv` (premigrateRuntimeEnv) adds the marker dir, the versions and the SSTable formats.
 */
export function premigrateContainer(main: Container, from: string, script: string, timeoutSeconds: number, runtimeEnv: readonly EnvVar[] = []): Container {
  const ours = new Set([ENV_TARGET_IMAGE, ENV_SOURCE_IMAGE, ENV_PREMIGRATE_TIMEOUT, ...RUNTIME_ENV_NAMES]);
  const env: EnvVar[] = [
    ...structuredClone(main.env ?? []).filter((v) => !ours.has(v.name)),
    { name: ENV_TARGET_IMAGE, value: main.image ?? '' },
    { name: ENV_SOURCE_IMAGE, value: from },
    { name: ENV_PREMIGRATE_TIMEOUT, value: String(timeoutSeconds) },
    ...runtimeEnv,
  ];
  // `sh -c script NAME args...`: NAME is the script's $0, the main container's args its "$@".
  const init: Container = { name: PREMIGRATE_CONTAINER, image: from, command: ['/bin/sh', '-c', script, PREMIGRATE_CONTAINER] };
  if (main.args != null) init.args = [...main.args];
  init.env = env;
  for (const field of COPIED_FIELDS) {
    const value: unknown = main[field];
    if (value != null) Object.assign(init, { [field]: structuredClone(value) });
  }
  // `kubectl describe pod` then shows the script's last log lines when it fails.
  init.terminationMessagePolicy = 'FallbackToLogsOnError';
  return init;
}

/**
 * Adds the `gossip-premigrate` init container when the pod carries
 * `gossip-safe.io/migrate-from-image` (DESIGN §2, §4). It goes after the user's init containers,
 * which often render the config the datastore needs. Runs after the identity step, so the copied
 * env includes POD_IP, which the script needs. Idempotent: an existing `gossip-premigrate`
 * (ours, or one the user wrote) means no change.
 */
export const premigrateStep: InjectionStep = ({ template, container, profile, ctx }, report) => {
  const annotations = template.metadata?.annotations ?? {};
  const from = annotations[ANNOTATION_MIGRATE_FROM]?.trim();
  if (from === undefined) return;
  const existing = template.spec.initContainers ?? [];
  if (existing.some((c) => c.name === PREMIGRATE_CONTAINER)) return;

  const clash = template.spec.containers.some((c) => c.name === PREMIGRATE_CONTAINER);
  const skip = clash
    ? `a regular container is already named "${PREMIGRATE_CONTAINER}" (container names must be unique)`
    : reasonToSkip(from, container, profile, ctx.profiles);
  if (skip !== undefined) {
    report.warnings.push(warning(`${skip}; no ${PREMIGRATE_CONTAINER} init container added`));
    return;
  }
  const kind = profile.premigrateScript;
  if (kind === undefined) return; // reasonToSkip has warned
  const timeout = parsePremigrateTimeout(annotations[ANNOTATION_PREMIGRATE_TIMEOUT]);
  if (timeout.problem !== undefined) report.warnings.push(warning(timeout.problem));

  const script = premigrateScript(kind, { dataDirs: profile.dataDirs, timeoutSeconds: timeout.seconds });
  const runtimeEnv = premigrateRuntimeEnv({
    kind,
    main: container,
    from,
    dataDirs: profile.dataDirs,
    volumes: template.spec.volumes ?? [],
    persistentVolumeNames: ctx.persistentVolumeNames ?? new Set(),
  });
  template.spec.initContainers = [...existing, premigrateContainer(container, from, script, timeout.seconds, runtimeEnv)];
  report.injected.push(PREMIGRATE_INJECTED);

  if (container.command != null) {
    report.warnings.push(
      warning(`container "${container.name}" sets command; ${PREMIGRATE_CONTAINER} starts ${from} with the image's standard launcher and the container's args instead`),
    );
  }
  const mounts = container.volumeMounts ?? [];
  if (!profile.dataDirs.some((d) => mounts.some((m) => isUnder(d, m.mountPath) || isUnder(m.mountPath, d)))) {
    report.warnings.push(
      warning(`no volumeMount of container "${container.name}" covers a ${profile.name} data directory (${profile.dataDirs.join(', ')}); ${PREMIGRATE_CONTAINER} will find no data and treat the node as fresh`),
    );
  }
};
