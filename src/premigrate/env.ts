import type { Container, EnvVar, Volume } from '../k8s/types.js';
import type { PremigrateScriptKind } from '../profiles/types.js';
import { imageVersion } from '../profiles/version.js';
import { formatsEnvValue, readableFormats } from './formats.js';
import { ENV_JMX_CREDENTIALS, ENV_MARKER_DIR, ENV_NODETOOL_OPTS, ENV_SOURCE_FORMATS, ENV_SOURCE_VERSION, ENV_TARGET_FORMATS, ENV_TARGET_VERSION } from './shell.js';

/** Names of every env var `premigrateRuntimeEnv` may set (the init container drops copies of them). */
export const RUNTIME_ENV_NAMES: readonly string[] = [
  ENV_MARKER_DIR,
  ENV_SOURCE_VERSION,
  ENV_TARGET_VERSION,
  ENV_SOURCE_FORMATS,
  ENV_TARGET_FORMATS,
  ENV_NODETOOL_OPTS,
  ENV_JMX_CREDENTIALS,
];

/**
 * How the pre-migration script reaches the OLD image's JMX with nodetool: as the leave hook for
 * that image does (src/datastore/leave.ts), with the same JVM options (such as
 * `-Dcom.sun.jndi.rmiURLParsing=legacy` for Cassandra before 3.0.27, 3.11.13 and 4.0.4 on newer
 * JDKs) and the same JMX credential env vars, read by the script at run time so no secret enters
 * the pod spec. docs/premigration.md "JMX credentials".
 */
export interface NodetoolAccess {
  /** `-D...` options for nodetool's JVM (GOSSIP_SAFE_NODETOOL_OPTS). */
  readonly jvmOptions: readonly string[];
  /** Names of the env vars holding the user, the password file and the password (GOSSIP_SAFE_JMX_CREDENTIALS). */
  readonly credentialEnv?: readonly [username: string, passwordFile: string, password: string];
}

export interface RuntimeEnvInput {
  readonly kind: PremigrateScriptKind;
  readonly main: Container;
  /** The old image (migrate-from-image). */
  readonly from: string;
  readonly dataDirs: readonly string[];
  /** The pod's volumes (a template's, for workloads). */
  readonly volumes: readonly Volume[];
  /** Volumes that outlive the pod beyond its own spec: a StatefulSet's volumeClaimTemplates. */
  readonly persistentVolumeNames: ReadonlySet<string>;
  /** How nodetool reaches the old image's JMX (nodetoolAccess). */
  readonly nodetool?: NodetoolAccess;
}

function trimSlash(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

function isUnder(path: string, dir: string): boolean {
  const p = trimSlash(path);
  const d = trimSlash(dir);
  return p === d || p.startsWith(d === '/' ? '/' : `${d}/`);
}

/**
 * The mount path of the persistent volume that holds the data: the deepest persistent mount at
 * or above a data directory, else a persistent mount inside one: `<dir>/data` (the SSTables)
 * when mounted, else the first. Undefined when no persistent volume covers any data directory.
 */
export function markerDir(input: Pick<RuntimeEnvInput, 'main' | 'dataDirs' | 'volumes' | 'persistentVolumeNames'>): string | undefined {
  const persistent = (name: string): boolean =>
    input.persistentVolumeNames.has(name) || input.volumes.some((v) => v.name === name && v.persistentVolumeClaim !== undefined);
  // A subPath mount is as persistent as its volume (the one decision, datastore/persistence.ts).
  const mounts = (input.main.volumeMounts ?? []).filter((m) => persistent(m.name));
  for (const dir of input.dataDirs) {
    const above = mounts.filter((m) => isUnder(dir, m.mountPath)).sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
    if (above !== undefined) return trimSlash(above.mountPath);
    // Volumes inside it: the one holding the SSTables (`<dir>/data`) over commitlog or hints.
    const within = mounts.filter((m) => isUnder(m.mountPath, dir));
    const inside = within.find((m) => trimSlash(m.mountPath) === `${trimSlash(dir)}/data`) ?? within[0];
    if (inside !== undefined) return trimSlash(inside.mountPath);
  }
  return undefined;
}

/**
 * What the script needs to know beyond the images (docs/premigration.md): where the marker goes,
 * the versions it compares, and the SSTable formats the old and the new version read.
 * Each is left out when it cannot be known; the script then says what it could not check.
 */
export function premigrateRuntimeEnv(input: RuntimeEnvInput): EnvVar[] {
  const env: EnvVar[] = [];
  const dir = markerDir(input);
  if (dir !== undefined) env.push({ name: ENV_MARKER_DIR, value: dir });
  const source = imageVersion(input.from);
  const target = imageVersion(input.main.image ?? '');
  if (source !== undefined) env.push({ name: ENV_SOURCE_VERSION, value: source.text });
  if (target !== undefined) env.push({ name: ENV_TARGET_VERSION, value: target.text });
  const sourceReads = readableFormats(input.kind, source);
  const targetReads = readableFormats(input.kind, target);
  if (sourceReads !== undefined) env.push({ name: ENV_SOURCE_FORMATS, value: formatsEnvValue(sourceReads) });
  if (targetReads !== undefined) env.push({ name: ENV_TARGET_FORMATS, value: formatsEnvValue(targetReads) });
  const jvmOptions = input.nodetool?.jvmOptions ?? [];
  if (jvmOptions.length > 0) env.push({ name: ENV_NODETOOL_OPTS, value: jvmOptions.join(' ') });
  if (input.nodetool?.credentialEnv !== undefined) env.push({ name: ENV_JMX_CREDENTIALS, value: input.nodetool.credentialEnv.join(' ') });
  return env;
}
