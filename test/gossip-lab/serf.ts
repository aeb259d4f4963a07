import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';

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

// Every agent the lab started and that may still run. Killed on teardown and, as a last resort,
// when the test process exits; with setpriv, the kernel also kills them if that process dies.
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killAllOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

const HAS_SETPRIV = spawnSync('setpriv', ['--help'], { encoding: 'utf8' }).stdout?.includes('--pdeathsig') === true;

export interface AgentOptions {
  /** Label for messages, e.g. `db-2#2 (127.1.2.5)`. */
  readonly label: string;
  /** The process to run (`serf agent ...`, or a wrapper that execs it), already expanded. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

export interface AgentExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** One running `serf agent` process and everything it printed. */
export class SerfAgent {
  private output = '';
  private exitInfo: AgentExit | undefined;
  readonly exited: Promise<AgentExit>;
  private readonly child: ChildProcess;

  constructor(readonly options: AgentOptions) {
    killAllOnExit();
    const [file, ...args] = HAS_SETPRIV ? ['setpriv', '--pdeathsig', 'KILL', '--', ...options.argv] : options.argv;
    if (file === undefined) throw new Error('gossip lab: empty agent command');
    this.child = spawn(file, args, { env: { ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(this.child);
    const append = (chunk: Buffer): void => {
      this.output += chunk.toString('utf8');
    };
    this.child.stdout?.on('data', append);
    this.child.stderr?.on('data', append);
    this.exited = new Promise<AgentExit>((resolve) => {
      this.child.once('error', (err) => {
        this.output += `\n[lab] spawn failed: ${err.message}\n`;
      });
      this.child.once('close', (code, signal) => {
        live.delete(this.child);
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
  }

  get label(): string {
    return this.options.label;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  get log(): string {
    return this.output;
  }

  /** Resolves once the agent reports it is running (RPC up, initial join done). */
  async ready(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.output.includes('Serf agent running!')) return;
      if (!this.running) break;
      await sleep(50);
    }
    throw new Error(
      `gossip lab: agent ${this.label} did not start within ${timeoutMs} ms ` +
        `(${this.running ? 'still starting' : `exited ${JSON.stringify(this.exitInfo)}`}). Its log:\n${this.output}`,
    );
  }

  /** The node name the agent announced at start (`Node name: '...'`). */
  nodeName(): string {
    const m = /Node name: '([^']*)'/.exec(this.output);
    if (m === null) throw new Error(`gossip lab: agent ${this.label} did not report its node name. Its log:\n${this.output}`);
    return m[1]!;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** Waits for the process to end; false when it is still running after `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<boolean> {
    if (!this.running) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const done = await Promise.race([this.exited.then(() => true as const), timeout]);
    clearTimeout(timer);
    return done;
  }

  /** SIGKILL, then wait until the process is gone. */
  async destroy(): Promise<void> {
    this.kill('SIGKILL');
    await this.waitForExit(5_000);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

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

/** Runs a command to completion (bounded) and returns its exit code and output. */
export function runCommand(
  command: readonly string[],
  env: Readonly<Record<string, string>>,
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  const [file, ...args] = command;
  if (file === undefined) return Promise.reject(new Error('gossip lab: empty command'));
  return new Promise((resolve) => {
    execFile(file, args, { env: { ...env }, timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ code, output: `${stdout}${stderr}${err !== null && code === null ? `\n${err.message}` : ''}` });
    });
  });
}
