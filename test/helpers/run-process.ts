import { spawn } from 'node:child_process';

export interface ProcessRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: string;
  readonly timeoutMs: number;
}

/**
 * Runs `command ARGS` to completion, bounded by `timeoutMs` (then SIGKILL and a rejection), with
 * `input` on stdin. A child that exits before reading all of its stdin makes the write fail with
 * EPIPE: that is not the error to report; the child's own exit code and stderr are.
 */
export function runProcess(command: string, args: readonly string[], options: RunOptions): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') return;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(e);
    });
    child.stdin.end(options.input ?? '');
  });
}
