import { existsSync, rmSync } from 'node:fs';
import { stopGroups } from './harness/procs.js';
import { STATE_ENV, loadState, saveState } from './harness/state.js';
import { uninstallWebhook } from './harness/webhook.js';

/**
 * Stops everything global-setup started: gossip-safe serve (every process it ever started),
 * then kube-controller-manager, kube-apiserver and etcd, each as a process group. On an
 * existing cluster it first removes what it installed. The temp dir goes too, unless
 * GOSSIP_SAFE_E2E_KEEP=1 (then its logs/ are kept for a look).
 */
export default async function globalTeardown(): Promise<void> {
  const file = process.env[STATE_ENV];
  if (file === undefined || !existsSync(file)) return;
  const state = loadState(file);
  if (state.existingCluster && state.kubectl !== '') {
    try {
      await uninstallWebhook(state);
    } catch (err) {
      process.stderr.write(`e2e teardown: could not remove gossip-safe from the cluster: ${(err as Error).message}\n`);
    }
  }
  await stopGroups(state.webhook?.pgids ?? []);
  await stopGroups([...state.controlPlanePgids].reverse());
  if (process.env['GOSSIP_SAFE_E2E_KEEP'] === '1') {
    saveState({ ...state, controlPlanePgids: [], ...(state.webhook === undefined ? {} : { webhook: { ...state.webhook, pgids: [] } }) }, file);
    process.stdout.write(`e2e: kept ${state.dir} (logs/ has every process's output)\n`);
  } else rmSync(state.dir, { recursive: true, force: true });
}
