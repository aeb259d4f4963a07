import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_DIR } from './harness/paths.js';
import { startControlPlane, type Binaries } from './harness/control-plane.js';
import { killGroup } from './harness/procs.js';
import { STATE_ENV, loadState, saveState, type E2eState } from './harness/state.js';
import { installWebhook } from './harness/webhook.js';
import stopAll from './global-teardown.js';

/** `scripts/tools/kube-control-plane.sh`: builds (first run) or finds the cached binaries. */
function controlPlaneBinaries(): Binaries {
  let out: string;
  try {
    out = execFileSync('bash', [join(PROJECT_DIR, 'scripts', 'tools', 'kube-control-plane.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 3_600_000 });
  } catch (err) {
    throw new Error(`e2e: building the control plane (scripts/tools/kube-control-plane.sh) failed: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  const paths = Object.fromEntries(out.trim().split('\n').map((line) => line.split('=', 2) as [string, string]));
  for (const name of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kubectl']) {
    if (paths[name] === undefined) throw new Error(`e2e: scripts/tools/kube-control-plane.sh printed no path for ${name}`);
  }
  return paths as unknown as Binaries;
}

/**
 * Starts what the e2e suite runs against, once for all files: a control plane on 127.0.0.1
 * (or, with GOSSIP_SAFE_E2E_KUBECONFIG, an existing cluster) and gossip-safe installed as the
 * README says, with the webhook process on the loopback. Anything started is stopped again if a
 * later step fails, and on exit of this process whatever happens.
 */
export default async function globalSetup(): Promise<void> {
  // dist/ is built by test/e2e/setup.js, which compiles this file and runs it.
  const existing = process.env['GOSSIP_SAFE_E2E_KUBECONFIG'] ?? '';
  const host = process.env['GOSSIP_SAFE_E2E_WEBHOOK_HOST'] ?? '127.0.0.1';
  const dir = mkdtempSync(join(tmpdir(), 'gossip-safe-e2e-'));
  mkdirSync(join(dir, 'logs'));
  const file = join(dir, 'state.json');
  process.env[STATE_ENV] = file;

  const pgids: number[] = [];
  const state: Omit<E2eState, 'webhook'> & { webhook: E2eState['webhook'] | undefined } = {
    dir,
    kubeconfig: existing,
    kubectl: '',
    existingCluster: existing !== '',
    controlPlanePgids: pgids,
    webhook: undefined,
  };
  // Last resort for a run that dies without teardown (jest killed, SIGINT): kill the groups.
  // Teardown removes the state file (or empties its lists), so this only acts when teardown did
  // not run, and never signals a process id that may have been reused since. The file also lists
  // webhook processes the tests restarted.
  process.once('exit', () => {
    let latest: E2eState;
    try {
      if (!existsSync(file)) return;
      latest = loadState(file);
    } catch {
      return;
    }
    for (const pgid of [...latest.controlPlanePgids, ...(latest.webhook?.pgids ?? [])]) killGroup(pgid, 'SIGKILL');
  });
  const save = (): void => saveState(state as E2eState, file);
  save();
  const t0 = Date.now();
  try {
    if (existing === '') {
      const bin = controlPlaneBinaries();
      const cp = await startControlPlane(bin, dir, (pgid) => {
        pgids.push(pgid);
        save();
      });
      Object.assign(state, { kubeconfig: cp.kubeconfig, kubectl: bin.kubectl });
    } else {
      const kubectl = process.env['KUBECTL'] ?? execFileSync('bash', [join(PROJECT_DIR, 'scripts', 'tools', 'kubectl.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
      Object.assign(state, { kubectl });
    }
    save();
    state.webhook = await installWebhook(state, host, (w) => {
      state.webhook = w;
      save();
    });
    save();
  } catch (err) {
    save(); // a webhook process that never got ready is in state.webhook by now
    await stopAll();
    throw new Error(`e2e: starting the control plane or the webhook failed: ${(err as Error).message}`, { cause: err });
  }
  process.stdout.write(`\ne2e: control plane and gossip-safe ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (${existing === '' ? 'own control plane' : existing}; files in ${dir})\n`);
}
