import { execFile, spawnSync } from 'node:child_process';
import { LabProcess, runCommand, sleep } from '../helpers/lab-process.js';

/** Serf's default ports. Each simulated pod has its own address, so the defaults never clash. */
export const GOSSIP_PORT = 7946;
export const RPC_PORT = 7373;

export const SERF_MISSING =
  'gossip lab: the `serf` command was not found. Install Debian\'s serf package ' +
  '(apt-get install serf; .ci/run does this). The lab needs real Serf agents and does not skip.';

/** Throws a clear error when serf is not installed; returns its version line otherwise. */
export function requireSerf(): string {
  const res = spawnSync('serf', ['version'], { encoding: 'utf8', timeout: 10_000 });
  if (res.error !== undefined || res.status !== 0) {
    throw new Error(`${SERF_MISSING}\n(${res.error?.message ?? res.stderr})`);
  }
  return res.stdout.split('\n')[0] ?? '';
}

export interface AgentOptions {
  /** Label for messages, e.g. `db-2#2 (127.1.2.5)`. */
  readonly label: string;
  /** The process to run (`serf agent ...`, or a wrapper that execs it), already expanded. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

/** One running `serf agent` process (see LabProcess) and everything it printed. */
export class SerfAgent extends LabProcess {
  constructor(options: AgentOptions) {
    // Printed once RPC is up and the initial join is done.
    super({ ...options, readyText: 'Serf agent running!' });
  }

  /** The node name the agent announced at start (`Node name: '...'`). */
  nodeName(): string {
    const m = /Node name: '([^']*)'/.exec(this.log);
    if (m === null) throw new Error(`gossip lab: agent ${this.label} did not report its node name. Its log:\n${this.log}`);
    return m[1]!;
  }
}

export { runCommand, sleep };

export interface Member {
  readonly name: string;
  /** `ip:port` */
  readonly addr: string;
  readonly status: string;
}

/** One agent's view of the cluster: `serf members -format=json` against its RPC address. */
export function members(rpcAddr: string): Promise<Member[]> {
  return new Promise((resolve, reject) => {
    execFile(
      'serf',
      ['members', '-format=json', `-rpc-addr=${rpcAddr}`],
      { timeout: 3_000, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err !== null) {
          reject(new Error(`serf members -rpc-addr=${rpcAddr} failed: ${err.message} ${stderr}`.trim()));
          return;
        }
        const parsed = JSON.parse(stdout) as { members?: Member[] };
        resolve((parsed.members ?? []).map(({ name, addr, status }) => ({ name, addr, status })));
      },
    );
  });
}

/** `serf members` as an operator reads it (text format), for reports. */
export function membersText(rpcAddr: string): Promise<string> {
  return new Promise((resolve) => {
    execFile('serf', ['members', `-rpc-addr=${rpcAddr}`], { timeout: 3_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve(err === null ? stdout : `${err.message} ${stderr}`);
    });
  });
}
