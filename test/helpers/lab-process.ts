import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';

/**
 * A process a lab starts (a Serf or Consul agent, the memberlist app), shared by the gossip,
 * Consul and memberlist labs. Every one is tracked: destroy() kills it, and as a last resort it
 * is SIGKILLed when the test process exits; with setpriv, the kernel also kills it if the test
 * process dies.
 */
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

export interface LabProcessOptions {
  /** Label for messages, e.g. `db-2 uid ... at 127.1.2.5`. */
  readonly label: string;
  /** The process to run, already expanded. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Output that says the process is up (see ready()). */
  readonly readyText: string;
}

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** One running process and everything it printed (stdout and stderr, interleaved). */
export class LabProcess {
  private output = '';
  private exitInfo: ProcessExit | undefined;
  readonly exited: Promise<ProcessExit>;
  private readonly child: ChildProcess;

  constructor(readonly options: LabProcessOptions) {
    killAllOnExit();
    const [file, ...args] = HAS_SETPRIV ? ['setpriv', '--pdeathsig', 'KILL', '--', ...options.argv] : options.argv;
    if (file === undefined) throw new Error('lab: empty command');
    this.child = spawn(file, args, { env: { ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(this.child);
    const append = (chunk: Buffer): void => {
      this.output += chunk.toString('utf8');
    };
    this.child.stdout?.on('data', append);
    this.child.stderr?.on('data', append);
    this.exited = new Promise<ProcessExit>((resolve) => {
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

  get exitStatus(): ProcessExit | undefined {
    return this.exitInfo;
  }

  get log(): string {
    return this.output;
  }

  /** Resolves once the process has printed its `readyText`. */
  async ready(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.output.includes(this.options.readyText)) return;
      if (!this.running) break;
      await sleep(50);
    }
    throw new Error(
      `lab: ${this.label} did not start within ${timeoutMs} ms ` +
        `(${this.running ? 'still starting' : `exited ${JSON.stringify(this.exitInfo)}`}). Its log:\n${this.output}`,
    );
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

/** Runs a command to completion (bounded) and returns its exit code and output. */
export function runCommand(
  command: readonly string[],
  env: Readonly<Record<string, string>>,
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  const [file, ...args] = command;
  if (file === undefined) return Promise.reject(new Error('lab: empty command'));
  return new Promise((resolve) => {
    execFile(file, args, { env: { ...env }, timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ code, output: `${stdout}${stderr}${err !== null && code === null ? `\n${err.message}` : ''}` });
    });
  });
}

/**
 * Runs a tool script (scripts/tools/<name>.sh) that builds or finds a binary and prints its
 * path. A cold Go build can take many minutes, hence the long bound; failure is one clear line.
 */
export function toolPath(script: string, timeoutMs: number): string {
  const res = spawnSync('bash', [script], { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'inherit'] });
  const path = res.stdout?.trim().split('\n').pop() ?? '';
  if (res.error !== undefined || res.status !== 0 || path === '') {
    throw new Error(`lab: ${script} failed to build or find its tool (${res.error?.message ?? `exit ${res.status}`}); see its output above`);
  }
  return path;
}
