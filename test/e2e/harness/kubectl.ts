import { spawn } from 'node:child_process';

export interface KubectlRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `kubectl ARGS` against `kubeconfig` to completion (bounded), stdin from `input`. */
export function runKubectl(kubectl: string, kubeconfig: string, args: readonly string[], input = '', timeoutMs = 60_000): Promise<KubectlRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(kubectl, [...args], {
      env: { ...process.env, KUBECONFIG: kubeconfig },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kubectl ${args.join(' ')} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.end(input);
  });
}

/** Like runKubectl, but a non-zero exit is an error carrying kubectl's stderr. */
export async function kubectlOk(kubectl: string, kubeconfig: string, args: readonly string[], input = ''): Promise<string> {
  const run = await runKubectl(kubectl, kubeconfig, args, input);
  if (run.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${run.code}: ${run.stderr.trim()}`);
  return run.stdout;
}
