import {
  ANNOTATION_PREMIGRATE_TIMEOUT,
  ENV_PREMIGRATE_TIMEOUT,
  ENV_SOURCE_IMAGE,
  ENV_TARGET_IMAGE,
  PREMIGRATE_CONTAINER,
} from '../contract.js';
import type { Container, EnvVar } from '../k8s/types.js';
import { premigrateRuntimeEnv, RUNTIME_ENV_NAMES } from '../premigrate/env.js';
import { premigrateScript } from '../premigrate/index.js';
import { declaredSource, premigrationPlan, type ConfigOverride } from '../datastore/premigration.js';
import { parsePremigrateTimeout } from './premigrate-timeout.js';
import { warning } from './report.js';
import type { InjectionStep } from './step.js';

export const PREMIGRATE_INJECTED = `initContainer:${PREMIGRATE_CONTAINER}`;
/** Recorded when an existing `gossip-premigrate` is moved after a native sidecar. */
export const PREMIGRATE_MOVED = `initContainer:${PREMIGRATE_CONTAINER}:after-native-sidecars`;

/** Fields of the main container the init container takes over (besides env and args). */
const COPIED_FIELDS = ['workingDir', 'envFrom', 'volumeMounts', 'volumeDevices', 'resources', 'securityContext', 'imagePullPolicy'] as const;

/**
 * The init container: the old image, the main container's environment and volumes, the script.
 * `runtimeEnv` (premigrateRuntimeEnv) adds the marker dir, the versions and the SSTable formats.
 */
export function premigrateContainer(
  main: Container,
  from: string,
  script: string,
  timeoutSeconds: number,
  runtimeEnv: readonly EnvVar[] = [],
  config?: ConfigOverride,
): Container {
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
  if (config !== undefined) {
    // The old version's config replaces whatever the main container mounts at or below the config dir.
    const kept = (init.volumeMounts ?? []).filter((m) => !isUnder(m.mountPath, config.mountPath));
    init.volumeMounts = [...kept, { name: config.volume, mountPath: config.mountPath }];
  }
  // `kubectl describe pod` then shows the script's last log lines when it fails.
  init.terminationMessagePolicy = 'FallbackToLogsOnError';
  return init;
}

function isUnder(path: string, dir: string): boolean {
  const p = path.replace(/\/+$/, '');
  const d = dir.replace(/\/+$/, '');
  return p === d || p.startsWith(`${d}/`);
}

const isNativeSidecar = (c: Container): boolean => c['restartPolicy'] === 'Always';

/**
 * Native sidecars (init containers with `restartPolicy: Always`, such as a mesh proxy) must run
 * before `gossip-premigrate`: moves ours after the last of them when another webhook put one
 * after it. Returns whether anything moved.
 */
function keepAfterNativeSidecars(spec: { initContainers?: Container[] | null }): boolean {
  const list = spec.initContainers ?? [];
  const ours = list.findIndex((c) => c.name === PREMIGRATE_CONTAINER);
  const lastNative = list.reduce((last, c, i) => (isNativeSidecar(c) ? i : last), -1);
  if (ours < 0 || lastNative < ours) return false;
  const moved = list[ours]!;
  const rest = list.filter((_, i) => i !== ours);
  rest.splice(lastNative, 0, moved);
  spec.initContainers = rest;
  return true;
}

/**
 * Adds the `gossip-premigrate` init container when the pod carries
 * `gossip-safe.io/migrate-from-image` (docs/premigration.md) and `premigrationPlan` says it can do its
 * job here; otherwise a warning says why not. It goes after the user's init containers, which
 * often render the config the datastore needs, and after native sidecars. Runs after the
 * identity step, so the copied env includes POD_IP. Idempotent: an existing `gossip-premigrate`
 * (ours, or one the user wrote) is not changed, only kept after native sidecars.
 */
export const premigrateStep: InjectionStep = ({ template, container, profile, ctx }, report) => {
  const annotations = template.metadata?.annotations ?? {};
  const from = declaredSource(template);
  if (from === undefined) return;
  const existing = template.spec.initContainers ?? [];
  if (existing.some((c) => c.name === PREMIGRATE_CONTAINER)) {
    if (keepAfterNativeSidecars(template.spec)) report.injected.push(PREMIGRATE_MOVED);
    return;
  }
  if (template.spec.containers.some((c) => c.name === PREMIGRATE_CONTAINER)) {
    report.warnings.push(warning(`a regular container is already named "${PREMIGRATE_CONTAINER}" (container names must be unique); no ${PREMIGRATE_CONTAINER} init container added`));
    return;
  }
  const plan = premigrationPlan({ template, container, profile, profiles: ctx.profiles, persistentVolumeNames: ctx.persistentVolumeNames ?? new Set(), from });
  if (!plan.inject) {
    report.warnings.push(warning(`${plan.reason}; no ${PREMIGRATE_CONTAINER} init container added`));
    return;
  }
  const timeout = parsePremigrateTimeout(annotations[ANNOTATION_PREMIGRATE_TIMEOUT]);
  if (timeout.problem !== undefined) report.warnings.push(warning(timeout.problem));
  if (plan.configProblem !== undefined) {
    report.warnings.push(warning(`${plan.configProblem}; ${PREMIGRATE_CONTAINER} uses the main container's config`));
  }

  const script = premigrateScript(plan.kind, { dataDirs: profile.dataDirs, timeoutSeconds: timeout.seconds });
  const runtimeEnv = premigrateRuntimeEnv({
    kind: plan.kind,
    main: container,
    from,
    dataDirs: profile.dataDirs,
    volumes: template.spec.volumes ?? [],
    persistentVolumeNames: plan.persistentVolumeNames,
    nodetool: plan.nodetool,
  });
  template.spec.initContainers = [...existing, premigrateContainer(container, from, script, timeout.seconds, runtimeEnv, plan.config)];
  report.injected.push(PREMIGRATE_INJECTED);

  const meshKeys = Object.keys(plan.meshAnnotations);
  if (meshKeys.length > 0) {
    template.metadata ??= {};
    template.metadata.annotations = { ...template.metadata.annotations, ...plan.meshAnnotations };
    for (const key of meshKeys) report.injected.push(`annotation:${key}`);
    report.warnings.push(
      warning(`the pod opts in to a classic-mode service mesh: ${meshKeys.join(', ')} now exclude the gossip and JMX ports from its redirection, so ${PREMIGRATE_CONTAINER} can gossip before the proxy runs`),
    );
  }

  if (container.command != null) {
    report.warnings.push(
      warning(`container "${container.name}" sets command; ${PREMIGRATE_CONTAINER} starts ${from} with the image's standard launcher and the container's args instead`),
    );
  }
};
