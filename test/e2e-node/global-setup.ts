import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import e2eGlobalSetup from '../e2e/global-setup.js';
import { PROJECT_DIR } from '../e2e/harness/paths.js';
import { loadState } from '../e2e/harness/state.js';
import stopAll from './global-teardown.js';
import { startNode, type NodeBinaries, type NodeState } from './harness/node.js';
import { NODE_STATE_ENV, loadNodeState, saveNodeState } from './harness/state.js';

/** `scripts/tools/kube-node.sh`: builds (first run) or finds the kubelet, kube-scheduler and the images. */
function nodeBinaries(): NodeBinaries {
  let out: string;
  try {
    out = execFileSync('bash', [join(PROJECT_DIR, 'scripts', 'tools', 'kube-node.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 3_600_000 });
  } catch (err) {
    throw new Error(`e2e-node: building the node (scripts/tools/kube-node.sh) failed: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  const paths = Object.fromEntries(out.trim().split('\n').map((line) => line.split('=', 2) as [string, string]));
  for (const name of ['kubelet', 'kube-scheduler', 'image-pause', 'image-busybox', 'image-serf']) {
    if (paths[name] === undefined) throw new Error(`e2e-node: scripts/tools/kube-node.sh printed no path for ${name}`);
  }
  return paths as unknown as NodeBinaries;
}

/**
 * The e2e suite's control plane and gossip-safe (test/e2e/global-setup.ts, unchanged), plus a real
 * node: containerd, runc, CNI bridge, a kubelet and kube-scheduler (docs/e2e-node.md). Whatever
 * was started is stopped again if a later step fails, and on exit of this process.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env['GOSSIP_SAFE_E2E_KUBECONFIG'] !== undefined) throw new Error('e2e-node: the real-node suite starts its own node and control plane; unset GOSSIP_SAFE_E2E_KUBECONFIG');
  const bin = nodeBinaries();
  await e2eGlobalSetup();
  const cp = loadState();
  const dir = mkdtempSync(join(tmpdir(), 'gossip-safe-node-'));
  const file = join(dir, 'node-state.json');
  process.env[NODE_STATE_ENV] = file;
  let latest: NodeState | undefined;
  // Last resort for a run that dies without teardown: kill the node's process groups.
  process.once('exit', () => {
    if (!existsSync(file)) return;
    try {
      for (const pgid of loadNodeState(file).pgids) process.kill(-pgid, 'SIGKILL');
    } catch {
      // gone, or the state was already cleaned up
    }
  });
  const t0 = Date.now();
  try {
    latest = await startNode(bin, cp, dir, (s) => {
      latest = s;
      saveNodeState(s, file);
    });
  } catch (err) {
    await stopAll();
    throw new Error(`e2e-node: starting the node failed: ${(err as Error).message}`, { cause: err });
  }
  process.stdout.write(`e2e-node: node ${latest.nodeName} Ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (files in ${dir})\n`);
}
