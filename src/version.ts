/** gossip-safe's own version, recorded in the status annotation. Kept equal to package.json by a test. */
export const GOSSIP_SAFE_VERSION = '0.1.0';
