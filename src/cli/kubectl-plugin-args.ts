/**
 * kubectl plugin conventions for `kubectl gossip-safe ...` (the package's kubectl-gossip_safe
 * binary). kubectl hands a plugin every argument after its name, global flags included. `audit`
 * reads the cluster and honours --kubeconfig and --context; check, inject and review are
 * offline, so those two flags are accepted there and have no effect.
 */
const CLUSTER_FLAGS = ['--kubeconfig', '--context'] as const;
const OFFLINE = new Set(['check', 'inject', 'review']);

export function pluginArgv(argv: readonly string[]): string[] {
  const [command, ...rest] = argv;
  if (command === undefined || !OFFLINE.has(command)) return [...argv];
  const out: string[] = [command];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? '';
    if (arg === '--') {
      out.push(...rest.slice(i));
      break;
    }
    if ((CLUSTER_FLAGS as readonly string[]).includes(arg)) {
      i++; // and its value
      continue;
    }
    if (CLUSTER_FLAGS.some((f) => arg.startsWith(`${f}=`))) continue;
    out.push(arg);
  }
  return out;
}
