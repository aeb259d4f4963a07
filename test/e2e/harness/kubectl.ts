import { runProcess } from '../../helpers/run-process.js';

export interface KubectlRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `kubectl ARGS` against `kubeconfig` to completion (bounded), stdin from `input`. */
export async function runKubectl(kubectl: string, kubeconfig: string, args: readonly string[], input = '', timeoutMs = 60_000): Promise<KubectlRun> {
  const { code, stdout, stderr } = await runProcess(kubectl, args, { env: { ...process.env, KUBECONFIG: kubeconfig }, input, timeoutMs });
  return { code, stdout, stderr };
}

/** Like runKubectl, but a non-zero exit is an error carrying kubectl's stderr. */
export async function kubectlOk(kubectl: string, kubeconfig: string, args: readonly string[], input = ''): Promise<string> {
  const run = await runKubectl(kubectl, kubeconfig, args, input);
  if (run.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${run.code}: ${run.stderr.trim()}`);
  return run.stdout;
}
