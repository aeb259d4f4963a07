import { ENV_POD_UID } from '../contract.js';

/** Kubernetes' default terminationGracePeriodSeconds. */
export const DEFAULT_GRACE_SECONDS = 30;

/** The per-incarnation gossip node name gossip-safe sets: the pod UID, via POD_UID. */
export const NODE_NAME_VALUE = `$(${ENV_POD_UID})`;
