/**
 * The public contract: label, annotation, container and variable names that users, manifests
 * and other tools depend on. Documented in the README; never rename one without a migration.
 */
export const LABEL_INJECT = 'gossip-safe.io/inject';
export const LABEL_POLICY = 'gossip-safe.io/policy';

export const ANNOTATION_STATUS = 'gossip-safe.io/status';
export const ANNOTATION_PROFILE = 'gossip-safe.io/profile';
export const ANNOTATION_CONTAINER = 'gossip-safe.io/container';
export const ANNOTATION_MIGRATE_FROM = 'gossip-safe.io/migrate-from-image';
export const ANNOTATION_PREMIGRATE_TIMEOUT = 'gossip-safe.io/premigrate-timeout';
export const ANNOTATION_ALLOW_DOWNGRADE = 'gossip-safe.io/allow-downgrade';
/**
 * Pod/template annotation: the name of a pod volume holding the config directory for the *old*
 * version. `gossip-premigrate` mounts it at the image's config path instead of the main
 * container's config mounts (for config rendered for the new version, which the old refuses).
 */
export const ANNOTATION_PREMIGRATE_CONFIG_VOLUME = 'gossip-safe.io/premigrate-config-volume';

export const PREMIGRATE_CONTAINER = 'gossip-premigrate';

export const ENV_POD_UID = 'POD_UID';
export const ENV_POD_NAME = 'POD_NAME';
export const ENV_POD_NAMESPACE = 'POD_NAMESPACE';
export const ENV_POD_IP = 'POD_IP';
export const ENV_GOSSIP_NODE_NAME = 'GOSSIP_NODE_NAME';
/** Set on the pre-migration init container: the image the main container will run. */
export const ENV_TARGET_IMAGE = 'GOSSIP_SAFE_TARGET_IMAGE';
/** Set on the pre-migration init container: the old image it runs (from migrate-from-image). */
export const ENV_SOURCE_IMAGE = 'GOSSIP_SAFE_SOURCE_IMAGE';
/** Set on the pre-migration init container: seconds its script may wait for gossip. */
export const ENV_PREMIGRATE_TIMEOUT = 'GOSSIP_SAFE_PREMIGRATE_TIMEOUT';
