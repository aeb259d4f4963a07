import { isIP } from 'node:net';
import { ANNOTATION_MIGRATE_FROM, ANNOTATION_PREMIGRATE_CONFIG_VOLUME } from '../contract.js';
import type { Container, PodTemplateSpec } from '../k8s/types.js';
import { markerDir } from '../premigrate/env.js';
import type { NodetoolAccess } from '../premigrate/env.js';
import { nodetoolAccess } from './nodetool.js';
import { parseImageRef } from '../profiles/image.js';
import { leaveRuleFor, profileForImage } from '../profiles/profile-set.js';
import type { PremigrateScriptKind, Profile, ProfileSet } from '../profiles/types.js';
import { compareVersions, imageVersion } from '../profiles/version.js';
import { sameVersion } from './identity.js';
import { persistentVolumeNamesOf } from './persistence.js';

/**
 * Whether the `gossip-premigrate` init container can do its job on this pod (docs/premigration.md),
 * decided once and used by the mutating step (inject or warn), the workload rules (demand a
 * migration step or not) and the pod rule (deny a missing init container or not), so the three
 * never disagree. Pure: it reads the pod (or template) and the profile, nothing else.
 */

/** Why no init container is added. */
export type SkipCode =
  | 'empty'
  | 'malformed-image'
  | 'no-script'
  | 'no-data-dirs'
  | 'other-datastore'
  | 'same-version'
  | 'not-older'
  | 'unsupported-image'
  | 'stable-broadcast'
  | 'no-persistent-volume'
  | 'mesh-redirect'
  | 'jmx-unauthenticated';

/**
 * Skips that mean "pre-migration cannot or need not run here": the validating rules then warn
 * (`premigration-skipped`) instead of demanding a migration step that would never come.
 */
export const CANNOT_PREMIGRATE: ReadonlySet<SkipCode> = new Set(['unsupported-image', 'stable-broadcast', 'no-persistent-volume', 'mesh-redirect', 'jmx-unauthenticated']);

/** The config directory the init container takes from a volume (`premigrate-config-volume`). */
export interface ConfigOverride {
  readonly volume: string;
  readonly mountPath: string;
}

export interface PremigrationInject {
  readonly inject: true;
  readonly kind: PremigrateScriptKind;
  /** The mount path of the persistent volume that holds the data (GOSSIP_SAFE_MARKER_DIR). */
  readonly markerDir: string;
  /** Names of volumes that outlive the pod: claim templates, PVCs, hostPath. */
  readonly persistentVolumeNames: ReadonlySet<string>;
  readonly config?: ConfigOverride;
  /** The config annotation could not be used (the init container then uses the main container's config). */
  readonly configProblem?: string;
  /** Mesh annotations to set on the pod (merged values), when a mesh will inject later. */
  readonly meshAnnotations: Readonly<Record<string, string>>;
  /** How the script's nodetool reaches the old image's JMX. */
  readonly nodetool: NodetoolAccess;
}

export interface PremigrationSkip {
  readonly inject: false;
  readonly code: SkipCode;
  readonly reason: string;
}

export type PremigrationPlan = PremigrationInject | PremigrationSkip;

export interface PremigrationInput {
  readonly template: PodTemplateSpec;
  readonly container: Container;
  readonly profile: Profile;
  readonly profiles: ProfileSet;
  /** Volumes that outlive the pod beyond its own spec: a StatefulSet's volumeClaimTemplates. */
  readonly persistentVolumeNames: ReadonlySet<string>;
  /** The old image: the pod's `migrate-from-image`, or on a workload UPDATE the old template's image. */
  readonly from: string;
}

// --- image references -------------------------------------------------------------------------

const PATH_SEGMENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const REGISTRY = /^(?:localhost|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*)(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]+$/;

/** Why `image` is not a container image reference (`[registry/]path[:tag][@digest]`), or undefined. */
export function imageReferenceProblem(image: string): string | undefined {
  const bad = `${JSON.stringify(image)} is not an image reference ([registry/]repository[:tag][@digest])`;
  if (image.length === 0 || image.length > 512 || /\s/.test(image)) return bad;
  let rest = image;
  const at = rest.indexOf('@');
  if (at >= 0) {
    if (!DIGEST.test(rest.slice(at + 1))) return bad;
    rest = rest.slice(0, at);
  }
  const lastSlash = rest.lastIndexOf('/');
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > lastSlash) {
    if (!TAG.test(rest.slice(lastColon + 1))) return bad;
    rest = rest.slice(0, lastColon);
  }
  const segments = rest.split('/');
  const first = segments[0] ?? '';
  if (segments.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    if (!REGISTRY.test(first)) return bad;
    segments.shift();
  }
  return segments.length > 0 && segments.every((s) => PATH_SEGMENT.test(s)) ? undefined : bad;
}

// --- image families (docs/premigration.md) -----------------------------------

export type ImageFamily = 'official' | 'bitnami' | 'management-api' | 'scylla';

/** Which launcher an image of a script kind has. */
export function imageFamily(kind: PremigrateScriptKind, image: string): ImageFamily {
  if (kind === 'scylla') return 'scylla';
  const path = parseImageRef(image).path;
  if (/(^|\/)cass-management-api$/.test(path) || /mgmtapi|management-api/.test(path)) return 'management-api';
  if (/(^|\/)bitnami[^/]*\//.test(path)) return 'bitnami';
  return 'official';
}

/** Families the script cannot start correctly, and why (the init container is then not added). */
const UNSUPPORTED_FAMILIES: Partial<Record<ImageFamily, string>> = {
  'management-api':
    'the k8ssandra management-API image renders its config only in its mgmtapi mode (the management API then starts Cassandra on request), so gossip-premigrate would start Cassandra on a default config; ' +
    'upgrade through cass-operator, or pre-migrate with the official or Bitnami image of the same version',
};

/** The config directory of each family (where `premigrate-config-volume` is mounted). */
const CONFIG_DIRS: Readonly<Record<ImageFamily, string>> = {
  official: '/etc/cassandra',
  bitnami: '/opt/bitnami/cassandra/conf',
  'management-api': '/etc/cassandra',
  scylla: '/etc/scylla',
};

// --- persistent volumes (the marker must share the data's fate) --------------------

// Volumes whose contents outlive the pod: the one persistence decision, shared with the
// node-name decision (persistence.ts).
export { persistentVolumeNamesOf };

// --- broadcast address (docs/premigration.md) ---------------------------------------

function isIpLiteral(v: string): boolean {
  return isIP(v) !== 0;
}

/** Every word of the container's command and args (args may be one shell script text). */
function words(container: Container): string[] {
  return [...(container.command ?? []), ...(container.args ?? [])].flatMap((s) => s.split(/\s+/)).filter((w) => w !== '');
}

/** The value of `--flag=value` or `--flag value` among the words, if present. */
function flagValue(all: readonly string[], flag: string): string | undefined {
  for (let i = 0; i < all.length; i++) {
    const w = all[i]!;
    if (w.startsWith(`${flag}=`)) return w.slice(flag.length + 1);
    if (w === flag) return all[i + 1];
  }
  return undefined;
}

/**
 * Why the node's broadcast address is a stable IP that survives the pod's restart, or
 * undefined when it is (or may be) the pod IP. Then the IP does not change on a version
 * change and pre-migration is not needed.
 * - scylla-operator (`--nodes-broadcast-address-type=ServiceClusterIP`, its default, or
 *   `ServiceLoadBalancerIngress`): the member Service's address.
 * - An explicit literal IP: `--broadcast-address` (ScyllaDB) or `CASSANDRA_BROADCAST_ADDRESS`
 *   (the official Cassandra image). `$(POD_IP)`, a fieldRef or a host name may be the pod's
 *   address, so they do not count.
 */
export function stableBroadcastAddress(kind: PremigrateScriptKind, container: Container): string | undefined {
  const all = words(container);
  const operatorType = flagValue(all, '--nodes-broadcast-address-type');
  if (operatorType === 'ServiceClusterIP' || operatorType === 'ServiceLoadBalancerIngress') {
    return `the node broadcasts its member Service's address (--nodes-broadcast-address-type=${operatorType}, scylla-operator), which does not change when the pod restarts`;
  }
  const arg = flagValue(all, '--broadcast-address');
  if (arg !== undefined && isIpLiteral(arg)) return `the node broadcasts the fixed address ${arg} (--broadcast-address), which does not change when the pod restarts`;
  if (kind === 'cassandra') {
    const env = (container.env ?? []).find((e) => e.name === 'CASSANDRA_BROADCAST_ADDRESS');
    if (env?.value != null && env.valueFrom == null && isIpLiteral(env.value)) {
      return `the node broadcasts the fixed address ${env.value} (CASSANDRA_BROADCAST_ADDRESS), which does not change when the pod restarts`;
    }
  }
  return undefined;
}

// --- service meshes (docs/premigration.md) -------------------------------------------------------

export type Mesh = 'istio' | 'linkerd';

/** Gossip (storage), TLS gossip and JMX; ScyllaDB's nodetool also uses its REST API. */
const MESH_PORTS: Readonly<Record<PremigrateScriptKind, readonly number[]>> = {
  cassandra: [7000, 7001, 7199],
  scylla: [7000, 7001, 7199, 10000],
};

export const MESH_EXCLUDE_ANNOTATIONS: Readonly<Record<Mesh, readonly [string, string]>> = {
  istio: ['traffic.sidecar.istio.io/excludeInboundPorts', 'traffic.sidecar.istio.io/excludeOutboundPorts'],
  linkerd: ['config.linkerd.io/skip-inbound-ports', 'config.linkerd.io/skip-outbound-ports'],
};

const isNativeSidecar = (c: Container): boolean => c['restartPolicy'] === 'Always';

/** The init container that installs a mesh's traffic redirection, and its mesh. */
function redirectingInit(template: PodTemplateSpec): { name: string; mesh: Mesh } | undefined {
  for (const c of template.spec?.initContainers ?? []) {
    if (isNativeSidecar(c)) continue;
    const text = `${c.name} ${c.image ?? ''} ${words(c).join(' ')}`;
    if (/^(istio-init|istio-validation)$/.test(c.name) || /istio-iptables/.test(text)) return { name: c.name, mesh: 'istio' };
    if (/^(linkerd-init|linkerd-network-validator)$/.test(c.name) || /proxy-init|linkerd2-proxy-init/.test(text)) return { name: c.name, mesh: 'linkerd' };
    if (/\biptables\b/.test(words(c).join(' ')) && /REDIRECT/.test(words(c).join(' '))) return { name: c.name, mesh: 'istio' };
  }
  return undefined;
}

/**
 * The most comma-separated parts of a mesh port annotation that are read. Istio's and Linkerd's
 * lists name a handful of ports; a longer list is read up to here and the rest ignored, so the
 * cost of one annotation is bounded whatever its length (docs/operations.md).
 */
export const MAX_PORT_LIST_PARTS = 256;

/** The port ranges of a mesh annotation (`7000,7001`, `7000-7001`, spaces allowed), inclusive. */
export interface PortList {
  readonly ranges: readonly (readonly [number, number])[];
  /** False when the value had more than MAX_PORT_LIST_PARTS parts (the rest was not read). */
  readonly complete: boolean;
}

const PORT_PART = /^(\d{1,5})(?:-(\d{1,5}))?$/;

/**
 * Parses a mesh port list into ranges, reading at most `maxParts` parts: ranges are kept as
 * bounds, never enumerated, so `1-65535` costs what `7000` does.
 */
export function parsePortList(value: string | undefined, maxParts = MAX_PORT_LIST_PARTS): PortList {
  const ranges: [number, number][] = [];
  const text = value ?? '';
  let start = 0;
  for (let parts = 0; start <= text.length; parts++) {
    if (parts === maxParts) return { ranges, complete: false };
    const comma = text.indexOf(',', start);
    const end = comma === -1 ? text.length : comma;
    // A part longer than "65535 - 65535" with spaces is not a port range; skip it unread.
    const part = end - start <= 32 ? PORT_PART.exec(text.slice(start, end).trim()) : null;
    if (part !== null) {
      const lo = Number(part[1]);
      const hi = part[2] === undefined ? lo : Number(part[2]);
      if (lo <= hi && hi <= 65535) ranges.push([lo, hi]);
    }
    if (comma === -1) break;
    start = comma + 1;
  }
  return { ranges, complete: true };
}

function listsPort(list: PortList, port: number): boolean {
  return list.ranges.some(([lo, hi]) => lo <= port && port <= hi);
}

function excludes(annotations: Readonly<Record<string, string>>, mesh: Mesh, ports: readonly number[]): boolean {
  return MESH_EXCLUDE_ANNOTATIONS[mesh].every((key) => {
    const listed = parsePortList(annotations[key]);
    return ports.every((p) => listsPort(listed, p));
  });
}

/** A mesh injector will act on this pod later (its opt-in is on the pod), in classic mode. */
function pendingClassicMesh(template: PodTemplateSpec): Mesh | undefined {
  const labels = template.metadata?.labels ?? {};
  const annotations = template.metadata?.annotations ?? {};
  const istio = labels['sidecar.istio.io/inject'] ?? annotations['sidecar.istio.io/inject'];
  if (istio === 'true' && annotations['sidecar.istio.io/nativeSidecar'] !== 'true') return 'istio';
  const linkerd = annotations['linkerd.io/inject'];
  if ((linkerd === 'enabled' || linkerd === 'ingress') && annotations['config.alpha.linkerd.io/proxy-enable-native-sidecar'] !== 'true') return 'linkerd';
  return undefined;
}

/** `value` without trailing commas and whitespace (a loop: a regular expression could backtrack). */
function trimListEnd(value: string): string {
  let end = value.length;
  while (end > 0 && (value[end - 1] === ',' || /\s/.test(value[end - 1]!))) end--;
  return value.slice(0, end);
}

/** The exclusion annotations with the profile's ports merged into what the user set. */
function mergedExclusions(annotations: Readonly<Record<string, string>>, mesh: Mesh, ports: readonly number[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of MESH_EXCLUDE_ANNOTATIONS[mesh]) {
    const current = annotations[key];
    const listed = parsePortList(current);
    const missing = ports.filter((p) => !listsPort(listed, p));
    if (missing.length === 0) continue;
    // A list read in full is tidied part by part; a longer one is kept as written (only its end trimmed).
    const kept = listed.complete ? (current ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '') : [trimListEnd(current ?? '')];
    out[key] = [...kept, ...missing.map(String)].join(',');
  }
  return out;
}

// --- the plan ---------------------------------------------------------------------------------

function skip(code: SkipCode, reason: string): PremigrationSkip {
  return { inject: false, code, reason };
}

/** The old image the pod asks to pre-migrate from (`migrate-from-image`), trimmed; undefined when absent. */
export function declaredSource(template: PodTemplateSpec): string | undefined {
  return template.metadata?.annotations?.[ANNOTATION_MIGRATE_FROM]?.trim();
}

export function premigrationPlan(input: PremigrationInput): PremigrationPlan {
  const { template, container, profile, from } = input;
  const target = container.image ?? '';
  const name = container.name;
  if (from === '') return skip('empty', `${ANNOTATION_MIGRATE_FROM} is empty`);
  const malformed = imageReferenceProblem(from);
  if (malformed !== undefined) return skip('malformed-image', `${ANNOTATION_MIGRATE_FROM}: ${malformed}`);
  const kind = profile.premigrateScript;
  if (kind === undefined) return skip('no-script', `profile "${profile.name}" has no pre-migration script, so ${ANNOTATION_MIGRATE_FROM} is ignored`);
  if (profile.dataDirs.length === 0) return skip('no-data-dirs', `profile "${profile.name}" lists no dataDirs for its pre-migration script`);
  const fromProfile = profileForImage(input.profiles, from);
  if (fromProfile !== undefined && fromProfile !== profile) {
    return skip('other-datastore', `${ANNOTATION_MIGRATE_FROM} "${from}" is a ${fromProfile.name} image, but container "${name}" runs ${profile.name}`);
  }
  if (sameVersion(from, target)) {
    return skip('same-version', `${ANNOTATION_MIGRATE_FROM} "${from}" is the version container "${name}" already runs ("${target}"): nothing to migrate`);
  }
  const source = imageVersion(from);
  const wanted = imageVersion(target);
  if (source !== undefined && wanted !== undefined && compareVersions(source, wanted) > 0) {
    return skip(
      'not-older',
      `${ANNOTATION_MIGRATE_FROM} "${from}" is newer than container "${name}"'s ${wanted.text}: pre-migration only runs an older version before a newer one, never ${source.text} on data a downgrade to ${wanted.text} must read`,
    );
  }
  const family = imageFamily(kind, from);
  const unsupported = UNSUPPORTED_FAMILIES[family];
  if (unsupported !== undefined) return skip('unsupported-image', `cannot pre-migrate with "${from}": ${unsupported}`);
  const stable = stableBroadcastAddress(kind, container);
  if (stable !== undefined) return skip('stable-broadcast', `${stable}: pre-migration is not needed`);

  const volumes = template.spec?.volumes ?? [];
  const persistent = persistentVolumeNamesOf(volumes, input.persistentVolumeNames);
  const dir = markerDir({ main: container, dataDirs: profile.dataDirs, volumes, persistentVolumeNames: persistent });
  if (dir === undefined) {
    return skip(
      'no-persistent-volume',
      `no persistent volume (PVC, volumeClaimTemplate or hostPath) of container "${name}" holds the ${profile.name} data (${profile.dataDirs.join(', ')}); ` +
        `with emptyDir, an ephemeral volume or no mount a new pod starts with empty data, so there is nothing to pre-migrate and nowhere to keep the marker`,
    );
  }

  const access = nodetoolAccess(container, leaveRuleFor(input.profiles, profile, from));
  if ('cannot' in access) return skip('jmx-unauthenticated', access.cannot);

  const annotations = template.metadata?.annotations ?? {};
  const ports = MESH_PORTS[kind];
  const redirect = redirectingInit(template);
  const native = (template.spec?.initContainers ?? []).some(isNativeSidecar);
  let meshAnnotations: Record<string, string> = {};
  if (redirect !== undefined && !native && !excludes(annotations, redirect.mesh, ports)) {
    const [inbound, outbound] = MESH_EXCLUDE_ANNOTATIONS[redirect.mesh];
    return skip(
      'mesh-redirect',
      `init container "${redirect.name}" redirects the pod's traffic to ${redirect.mesh === 'istio' ? 'an Istio' : 'a Linkerd'} proxy that does not run during init, so gossip-premigrate could never gossip; ` +
        `run the mesh's proxy as a native sidecar, or set ${inbound} and ${outbound} to include ${ports.join(',')} on the pod template (before the mesh injects)`,
    );
  }
  if (redirect === undefined) {
    const pending = pendingClassicMesh(template);
    if (pending !== undefined) meshAnnotations = mergedExclusions(annotations, pending, ports);
  }

  let config: ConfigOverride | undefined;
  let configProblem: string | undefined;
  const configVolume = annotations[ANNOTATION_PREMIGRATE_CONFIG_VOLUME]?.trim();
  if (configVolume !== undefined) {
    const problem = configVolumeProblem(template, input.persistentVolumeNames);
    if (problem !== undefined) configProblem = problem;
    else config = { volume: configVolume, mountPath: CONFIG_DIRS[imageFamily(kind, from)] };
  }
  return {
    inject: true,
    kind,
    markerDir: dir,
    persistentVolumeNames: persistent,
    ...(config === undefined ? {} : { config }),
    ...(configProblem === undefined ? {} : { configProblem }),
    meshAnnotations,
    nodetool: access.access,
  };
}

/** Why `premigrate-config-volume` cannot be used on this pod/template, or undefined (also when absent). */
export function configVolumeProblem(template: PodTemplateSpec, claimTemplates: ReadonlySet<string>): string | undefined {
  const raw = template.metadata?.annotations?.[ANNOTATION_PREMIGRATE_CONFIG_VOLUME];
  if (raw === undefined) return undefined;
  const name = raw.trim();
  const known = [...(template.spec?.volumes ?? []).map((v) => v.name), ...claimTemplates];
  if (name !== '' && known.includes(name)) return undefined;
  const list = known.length === 0 ? 'the pod has none' : `volumes: ${known.join(', ')}`;
  return `${ANNOTATION_PREMIGRATE_CONFIG_VOLUME}=${JSON.stringify(raw)} names no volume of the pod (${list})`;
}
