import { readFileSync, writeFileSync } from 'node:fs';

/** What global-setup started, shared with the test files and global-teardown through a file. */
export interface E2eState {
  /** Temp dir holding PKI, kubeconfigs, data and logs; removed at teardown. */
  readonly dir: string;
  /** The admin kubeconfig the tests use. */
  readonly kubeconfig: string;
  readonly kubectl: string;
  /** True when the suite runs against a cluster it did not start (GOSSIP_SAFE_E2E_KUBECONFIG). */
  readonly existingCluster: boolean;
  /** Process groups of etcd, kube-apiserver and kube-controller-manager (empty on an existing cluster). */
  readonly controlPlanePgids: number[];
  readonly webhook: WebhookState;
}

export interface WebhookState {
  readonly host: string;
  readonly port: number;
  /** Kubeconfig with the TokenRequest token of ServiceAccount gossip-safe/gossip-safe. */
  readonly kubeconfig: string;
  /** Where `gossip-safe certs --out-dir` wrote tls.crt, tls.key, ca.crt. */
  readonly certDir: string;
  /** Every `gossip-safe serve` started in this run, the current one last; stdout+stderr of all in logFile. */
  pgids: number[];
  readonly logFile: string;
}

export const STATE_ENV = 'GOSSIP_SAFE_E2E_STATE';

export function stateFile(): string {
  const file = process.env[STATE_ENV];
  if (file === undefined || file === '') throw new Error(`${STATE_ENV} is not set: run the suite with \`npm run e2e\``);
  return file;
}

export function loadState(file = stateFile()): E2eState {
  return JSON.parse(readFileSync(file, 'utf8')) as E2eState;
}

export function saveState(state: E2eState, file = stateFile()): void {
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`);
}
