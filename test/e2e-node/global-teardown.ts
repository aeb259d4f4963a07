import { existsSync, rmSync } from 'node:fs';
import e2eGlobalTeardown from '../e2e/global-teardown.js';
import { STATE_ENV, loadState } from '../e2e/harness/state.js';
import { stopNode } from './harness/node.js';
import { NODE_STATE_ENV, loadNodeState, saveNodeState } from './harness/state.js';

/**
 * Stops the node first (while the apiserver still answers, so the kubelet can stop the pods),
 * then the control plane and gossip-safe (test/e2e/global-teardown.ts). Prints what had to be
 * forced. The node's temp dir goes too, unless GOSSIP_SAFE_E2E_KEEP=1.
 */
export default async function globalTeardown(): Promise<void> {
  const file = process.env[NODE_STATE_ENV];
  if (file !== undefined && existsSync(file)) {
    const node = loadNodeState(file);
    const stateFile = process.env[STATE_ENV];
    const cp = stateFile !== undefined && existsSync(stateFile) ? loadState(stateFile) : undefined;
    const forced = await stopNode(node, cp);
    for (const line of forced) process.stderr.write(`e2e-node teardown: ${line}\n`);
    if (process.env['GOSSIP_SAFE_E2E_KEEP'] === '1') {
      // Kept, but no process group in it may be signalled again (setup's exit hook reads the file).
      saveNodeState({ ...node, pgids: [] }, file);
      process.stdout.write(`e2e-node: kept ${node.dir} (logs/ has containerd's, the kubelet's and the scheduler's output)\n`);
    } else rmSync(node.dir, { recursive: true, force: true });
  }
  await e2eGlobalTeardown();
}
