/** Quotes a string for POSIX sh: single quotes, with embedded quotes spliced in. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Environment variables that tune the script (documented in the README). */
export const ENV_POLL_SECONDS = 'GOSSIP_SAFE_POLL_SECONDS';
export const ENV_STABLE_CHECKS = 'GOSSIP_SAFE_STABLE_CHECKS';
export const ENV_STOP_SECONDS = 'GOSSIP_SAFE_STOP_SECONDS';
/** The bound on the old server's start-up (JVM start, commit-log replay), before the gossip wait. */
export const ENV_START_SECONDS = 'GOSSIP_SAFE_START_SECONDS';
/** The bound on each external call (nodetool info, status, stopdaemon); drain has the stop wait. */
export const ENV_CALL_SECONDS = 'GOSSIP_SAFE_CALL_SECONDS';

export const DEFAULT_POLL_SECONDS = 5;
export const DEFAULT_STABLE_CHECKS = 3;
export const DEFAULT_STOP_SECONDS = 300;
export const DEFAULT_START_SECONDS = 900;
export const DEFAULT_CALL_SECONDS = 60;

/** Where the script records that a node is ready for a target image, relative to the data dir. */
export const MARKER_PATH = '.gossip-safe/premigrated';

/**
 * Set by the webhook on the init container (README "Pre-migration init container"):
 * - the mount path of the persistent volume that holds the data: the marker lives there;
 * - the parsed versions of the old (source) and new (target) images, compared as versions;
 * - the oldest and newest SSTable format of each family each of them reads (`big:ma..oa bti:da..da`).
 */
export const ENV_MARKER_DIR = 'GOSSIP_SAFE_MARKER_DIR';
export const ENV_SOURCE_VERSION = 'GOSSIP_SAFE_SOURCE_VERSION';
export const ENV_TARGET_VERSION = 'GOSSIP_SAFE_TARGET_VERSION';
export const ENV_SOURCE_FORMATS = 'GOSSIP_SAFE_SOURCE_FORMATS';
export const ENV_TARGET_FORMATS = 'GOSSIP_SAFE_TARGET_FORMATS';
/** nodetool's JVM options for the old image, and the names of the env vars with its JMX credentials. */
export const ENV_NODETOOL_OPTS = 'GOSSIP_SAFE_NODETOOL_OPTS';
export const ENV_JMX_CREDENTIALS = 'GOSSIP_SAFE_JMX_CREDENTIALS';
