/**
 * A datastore profile: everything gossip-safe knows about one gossip datastore, as data.
 * Built-in profiles live in builtin.ts; operators add or override them with a YAML file.
 */

/**
 * When to give the datastore a per-incarnation gossip node name (`GOSSIP_NODE_NAME=$(POD_UID)`).
 * - `always`: the node name is the whole identity (Serf, memberlist apps).
 * - `never`: identity lives in the data directory; renaming breaks membership (Cassandra, etcd).
 * - `unless-persistent-data`: only when `persistentDataPath` is not on a persistent volume
 *   (Consul: a server that keeps its node_id must keep its name).
 */
export type NodeNameMode = 'always' | 'never' | 'unless-persistent-data';

/** Whether a version change needs the "old version on the new IP first" step. */
export type PremigrationPolicy = 'required' | 'optional' | 'not-applicable';

/** The graceful-leave command for a set of images (exec preStop). */
export interface LeaveRule {
  /** Image patterns this command applies to; empty means every image of the profile. */
  readonly images: readonly string[];
  readonly command: readonly string[];
  /**
   * Version ranges (of the image tag) this rule applies to: `from` inclusive, `below` exclusive,
   * missing parts counting as 0. Absent: every version. An image without a readable version
   * matches no ranged rule, and falls through to the next rule.
   */
  readonly versions?: readonly { readonly from: string; readonly below: string }[];
  /**
   * The command only works with credentials from the container's env (the CLI reads them
   * itself): at least one of `anyOf` must be set by `env`, or may be set by an `envFrom`.
   * Otherwise the hook is not injected and a warning gives `why`.
   */
  readonly requiresEnv?: { readonly anyOf: readonly string[]; readonly why: string };
  /**
   * Not injected when the container's command line (command and args, shell scripts split into
   * words) has one of these flags, e.g. `-server`; a warning gives `why`.
   */
  readonly notWithFlags?: { readonly flags: readonly string[]; readonly why: string };
  /**
   * Flags of the agent's own command line that the leave command must repeat to reach it (a
   * non-default RPC address, an RPC auth key), unless the container's env already sets `env`,
   * which the CLI reads itself. A value the kubelet or a shell would expand (`$`) cannot be
   * repeated in an exec hook: the hook is then not injected, with a warning.
   */
  readonly forwardFlags?: readonly { readonly flag: string; readonly env: string }[];
  /**
   * JMX credentials for `nodetool` (Cassandra). When the container's env sets `usernameEnv` and
   * `passwordFileEnv` (preferred: `nodetool -pwf` reads the password from the file, so it is on no
   * command line) or `passwordEnv`, the hook runs through `sh -c` so the shell expands them
   * (the kubelet does not expand `$(VAR)` in exec hooks) and passes `-u`/`-pwf` (or `-pw`) before
   * the last word of `command`. When JMX authentication is evidently on (`LOCAL_JMX=no`, or
   * `com.sun.management.jmxremote.authenticate=true` in the JVM options of the env or the command
   * line) and no credentials are set, the hook is not injected and a warning says why.
   */
  readonly jmxCredentials?: { readonly usernameEnv: string; readonly passwordEnv: string; readonly passwordFileEnv: string };
}

/**
 * How to tell a server agent (Consul) where server mode is not on the command line. A server
 * keeps its name and never leaves on stop: leaving shrinks the Raft peer set on every restart.
 */
export interface ServerSignals {
  /** Command-line flags that make the agent a server (`-server`). */
  readonly flags: readonly string[];
  /** Env values that make it one: the variable matches `pattern` (a regular expression). */
  readonly env: readonly { readonly name: string; readonly pattern: string }[];
  /** Images that run a server unless `clientEnv` says otherwise (Bitnami's consul). */
  readonly images: readonly string[];
  readonly clientEnv?: { readonly name: string; readonly value: string };
  /** Pod labels that mark servers (consul-k8s: component=server). */
  readonly labels: readonly { readonly key: string; readonly value: string }[];
  readonly why: string;
}

export interface Profile {
  readonly name: string;
  /**
   * Image repository patterns, e.g. `cassandra`, `bitnami/cassandra`,
   * `docker.elastic.co/elasticsearch/elasticsearch`. A pattern matches an image whose repository
   * path ends with the pattern's path, segment by segment, whatever the registry (so mirrors
   * match); `*` matches within one segment. See image.ts.
   */
  readonly images: readonly string[];
  readonly nodeNameMode: NodeNameMode;
  /**
   * For `unless-persistent-data`: the path whose volume decides (also each of `dataDirs`: an
   * image may keep its data elsewhere, Bitnami's at /bitnami/consul).
   */
  readonly persistentDataPath?: string;
  /** Server agents: no per-incarnation name, no leave hook. */
  readonly servers?: ServerSignals;
  /** Graceful-leave commands, the first rule whose images match wins. Empty: no preStop. */
  readonly leave: readonly LeaveRule[];
  /** Minimum terminationGracePeriodSeconds the datastore needs to leave cleanly. */
  readonly minGraceSeconds: number;
  readonly premigration: PremigrationPolicy;
  /** Data directories, first existing one wins (official images first, then Bitnami's). */
  readonly dataDirs: readonly string[];

  // --- Version-change policy (validation and workload UPDATE mutation; see version-policy.ts) ---
  /**
   * For `premigration: required`: the smallest version difference that needs the pre-migration
   * step (`major`: 3.11 -> 4.1; `minor`: 5.2 -> 5.4; `patch`: any change). Default `major`.
   */
  readonly migrateOn?: VersionLevel;
  /**
   * The supported upgrade path as ordered version prefixes, e.g. `['3', '4', '5']`. An upgrade
   * that jumps over a step (3.11 -> 5.0) is warned. Absent: no path is known.
   */
  readonly upgradePath?: readonly string[];
  /**
   * The upgrade-path tables (upgrade-paths.ts): which version changes the datastore supports,
   * which need an intermediate version first, which downgrades it refuses. The first table whose
   * `images` match the image decides. Absent: only `upgradePath` and the major-downgrade rule.
   */
  readonly upgradePaths?: readonly UpgradeTable[];

  /**
   * Workloads of an operator that manages upgrades itself (profiles/operators.ts):
   * `leave-alone` (default) injects nothing and denies nothing there, with a warning; `inject`
   * treats them like any other workload.
   */
  readonly operatorManaged?: 'leave-alone' | 'inject';

  /** Pre-migration: which runtime script the `gossip-premigrate` init container runs. */
  readonly premigrateScript?: PremigrateScriptKind;
}

/** What an upgrade-path row says about a version change. */
export type PathVerdict = 'allow' | 'warn' | 'deny';
export const PATH_VERDICTS: readonly PathVerdict[] = ['allow', 'warn', 'deny'];

/**
 * One row of an upgrade-path table. It applies to a change in `direction` whose old version
 * starts with `from` and new version with `to` (version prefixes, "3.11" or "3"; absent: any),
 * and, with `across`, whose versions differ at least at that level. The first matching row wins.
 */
export interface UpgradePathRow {
  readonly direction: 'up' | 'down';
  readonly from?: string;
  readonly to?: string;
  readonly across?: VersionLevel;
  readonly verdict: PathVerdict;
  /** An upgrade's required intermediate version: the message says "upgrade to <via> first". */
  readonly via?: string;
  /** What to do instead, one clause (a downgrade's procedure); shown after `via`. */
  readonly fix?: string;
  /** Why, one clause: what breaks. An overridden downgrade's warning repeats it as the risk. */
  readonly why: string;
  /** Where upstream says so: a URL, or a file and the version it was read at. */
  readonly source: string;
  /** A change this row decides, old and new version (the docs show it; a test runs it). */
  readonly example?: readonly [string, string];
}

/**
 * Release lines that must be upgraded in order, `maxStep` lines at a time (default 1). Each list
 * is one numbering (ScyllaDB open source, ScyllaDB Enterprise); the list holding both versions
 * decides. A downgrade by one line gets `rollback` (default deny); by more, a denial.
 */
export interface ConsecutiveSeries {
  readonly series: readonly (readonly string[])[];
  readonly maxStep?: number;
  readonly rollback?: PathVerdict;
  readonly why: string;
  readonly source: string;
}

/** The upgrade paths of one product (Elasticsearch and OpenSearch share a profile). */
export interface UpgradeTable {
  readonly product: string;
  /** Image patterns (as Profile.images) this table is for; absent or empty: every image of the profile. */
  readonly images?: readonly string[];
  /** Explicit rows, checked first. */
  readonly rows: readonly UpgradePathRow[];
  readonly consecutive?: ConsecutiveSeries;
}

/** How far apart two versions are, by their most significant differing part. */
export type VersionLevel = 'major' | 'minor' | 'patch';

/** Pre-migration: the runtime scripts gossip-safe ships (src/premigrate/). */
export const PREMIGRATE_SCRIPT_KINDS = ['cassandra', 'scylla'] as const;
export type PremigrateScriptKind = (typeof PREMIGRATE_SCRIPT_KINDS)[number];

/** The profiles in force, in match order, with lookup by name. Frozen. */
export interface ProfileSet {
  readonly list: readonly Profile[];
  readonly byName: ReadonlyMap<string, Profile>;
}
