import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runKubectl } from '../../e2e/harness/kubectl.js';
import { freePort, isAlive, sleep, startDetached, stopGroups, waitFor } from '../../e2e/harness/procs.js';

/** What `scripts/tools/kube-node.sh` prints: the node's binaries and image archives. */
export interface NodeBinaries {
  readonly kubelet: string;
  readonly 'kube-scheduler': string;
  readonly 'image-pause': string;
  readonly 'image-busybox': string;
  readonly 'image-serf': string;
}

/** Everything the node started or changed on the machine, so teardown can undo exactly that. */
export interface NodeState {
  /** Temp dir with containerd's root/state/socket, the kubelet's root dir, CNI state and logs. */
  readonly dir: string;
  readonly nodeName: string;
  readonly socket: string;
  /** Process groups of containerd, the kubelet and kube-scheduler, in start order. */
  readonly pgids: number[];
  /** The bridge the CNI bridge plugin attaches pods to, created by the suite (removed at teardown). */
  bridge: string | undefined;
  /** Cgroup directories the suite created as the kubelet's --cgroup-root, one per hierarchy. */
  readonly cgroupRoots: string[];
  /** Kernel tunables the kubelet sets at start (container_manager_linux.go), with their values before. */
  readonly sysctls: Record<string, string>;
  /** /var/run/netns entries present before the node started (containerd 1.6 puts pod netns there). */
  readonly netnsBefore: string[];
}

/** The pod network: a private /24 on a bridge the suite creates; nothing else is addressed. */
export const POD_SUBNET = '10.233.0.0/24';
export const BRIDGE_ADDRESS = '10.233.0.1';
const BRIDGE = 'gse2e0';
const NETNS_DIR = '/var/run/netns';
const CNI_BIN = '/usr/lib/cni';
const CONTAINER_LOG_LINKS = '/var/log/containers';
/** The kubelet sets these unless protectKernelDefaults (then it refuses to start on other values). */
const KUBELET_SYSCTLS = ['vm/overcommit_memory', 'vm/panic_on_oom', 'kernel/panic', 'kernel/panic_on_oops', 'kernel/keys/root_maxkeys', 'kernel/keys/root_maxbytes'];

export const IMAGES = {
  pause: 'localhost/gossip-e2e/pause:1',
  busybox: 'localhost/gossip-e2e/busybox:1',
  serf: 'docker.io/hashicorp/serf:gossip-e2e',
} as const;

/**
 * Stand-ins: the busybox image under Cassandra's names, so gossip-safe's Cassandra profile (by
 * image) and the pre-migration script (a POSIX sh script) run on the node without a JVM. The
 * script finds no Cassandra launcher in them, which is how scenario 4 makes it fail.
 */
export const STAND_INS = ['docker.io/library/cassandra:4.1.5', 'docker.io/library/cassandra:5.0.5'] as const;

function run(cmd: string, args: readonly string[], timeoutMs = 60_000): string {
  return execFileSync(cmd, [...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
}

function tryRun(cmd: string, args: readonly string[], timeoutMs = 30_000): { code: number | null; out: string } {
  const r = spawnSync(cmd, [...args], { encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Fails with one line naming what is missing, before anything is started. */
export function checkPrerequisites(): void {
  if (process.getuid?.() !== 0) throw new Error('the real-node e2e needs root (it runs containerd, the kubelet and a bridge)');
  for (const cmd of ['containerd', 'ctr', 'runc', 'ip']) {
    if (tryRun('sh', ['-c', `command -v ${cmd}`]).code !== 0) throw new Error(`${cmd} is not on PATH (apt-get install containerd runc iproute2; see docs/e2e-node.md)`);
  }
  for (const plugin of ['bridge', 'host-local', 'loopback']) {
    if (!existsSync(join(CNI_BIN, plugin))) throw new Error(`CNI plugin ${join(CNI_BIN, plugin)} is missing (apt-get install containernetworking-plugins)`);
  }
  if (tryRun('ip', ['link', 'show', BRIDGE]).code === 0) throw new Error(`bridge ${BRIDGE} already exists (a run still going, or one that died): remove it with \`ip link del ${BRIDGE}\``);
}

/** Cgroup v1 hierarchies (one per mounted controller set), or the v2 root alone. */
function cgroupHierarchies(): string[] {
  if (existsSync('/sys/fs/cgroup/cgroup.controllers')) return ['/sys/fs/cgroup'];
  return readdirSync('/sys/fs/cgroup')
    .map((d) => join('/sys/fs/cgroup', d))
    .filter((d) => existsSync(join(d, 'cgroup.procs')) && !d.endsWith('/unified'));
}

function containerdConfig(dir: string, socket: string, cniConf: string): string {
  return `version = 2
root = "${join(dir, 'containerd', 'root')}"
state = "${join(dir, 'containerd', 'state')}"
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "${socket}"
[ttrpc]
  address = "${socket}.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${IMAGES.pause}"
  disable_apparmor = true
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "${CNI_BIN}"
    conf_dir = "${cniConf}"
    max_conf_num = 1
`;
}

function cniConfig(stateDir: string): string {
  return `${JSON.stringify(
    {
      cniVersion: '0.4.0',
      name: 'gossip-e2e',
      plugins: [
        {
          type: 'bridge',
          bridge: BRIDGE,
          // No gateway, no masquerade: the bridge already has ${BRIDGE_ADDRESS} (set by the suite), and
          // with isGateway the plugin would switch on IP forwarding for the whole machine.
          isGateway: false,
          ipMasq: false,
          ipam: { type: 'host-local', ranges: [[{ subnet: POD_SUBNET, rangeStart: '10.233.0.10', rangeEnd: '10.233.0.250' }]], dataDir: stateDir },
        },
      ],
    },
    null,
    2,
  )}\n`;
}

function kubeletConfig(o: { socket: string; port: number; healthzPort: number; cgroupRoot: string; dir: string }): string {
  return `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 127.0.0.1
port: ${o.port}
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: ${o.healthzPort}
containerRuntimeEndpoint: unix://${o.socket}
imageServiceEndpoint: unix://${o.socket}
authentication:
  anonymous: {enabled: true}
  webhook: {enabled: false}
authorization: {mode: AlwaysAllow}
cgroupDriver: cgroupfs
cgroupRoot: ${o.cgroupRoot}
cgroupsPerQOS: true
enforceNodeAllocatable: []
failCgroupV1: false
failSwapOn: false
protectKernelDefaults: false
localStorageCapacityIsolation: false
evictionHard: {}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
resolvConf: ""
serializeImagePulls: true
staticPodPath: ""
podLogsDir: ${join(o.dir, 'pod-logs')}
syncFrequency: 5s
fileCheckFrequency: 20s
nodeStatusUpdateFrequency: 5s
shutdownGracePeriod: 0s
tlsCertFile: ""
rotateCertificates: false
serverTLSBootstrap: false
`;
}

/**
 * Starts a node on this machine against the running control plane: containerd (own root, state
 * and socket in a temp dir) with runc and the CNI bridge plugin on ${POD_SUBNET}, the locally built
 * images imported, a kubelet registered as node `localhost` (its server on 127.0.0.1, reached by
 * the apiserver through the node's Hostname address) and kube-scheduler. Everything started is
 * recorded in `onChange` as soon as it exists, so a failure later still undoes it.
 */
export async function startNode(bin: NodeBinaries, cp: { kubeconfig: string; kubectl: string }, dir: string, onChange: (s: NodeState) => void): Promise<NodeState> {
  checkPrerequisites();
  const logs = join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  const socket = join(dir, 'containerd', 'containerd.sock');
  const cgroupName = `gossip-e2e-${process.pid}`;
  const sysctls: Record<string, string> = {};
  for (const s of KUBELET_SYSCTLS) {
    try {
      sysctls[s] = readFileSync(join('/proc/sys', s), 'utf8').trim();
    } catch {
      // not on this kernel; the kubelet skips it too
    }
  }
  const state: NodeState = {
    dir,
    nodeName: 'localhost',
    socket,
    pgids: [],
    bridge: undefined,
    cgroupRoots: [],
    sysctls,
    netnsBefore: existsSync(NETNS_DIR) ? readdirSync(NETNS_DIR) : [],
  };
  onChange(state);

  // The bridge, with the host's address in the pod range, so the host (and the tests) reach pods.
  run('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
  state.bridge = BRIDGE;
  onChange(state);
  run('ip', ['addr', 'add', `${BRIDGE_ADDRESS}/24`, 'dev', BRIDGE]);
  run('ip', ['link', 'set', BRIDGE, 'up']);

  const cniConf = join(dir, 'cni', 'conf');
  mkdirSync(cniConf, { recursive: true });
  writeFileSync(join(cniConf, '10-gossip-e2e.conflist'), cniConfig(join(dir, 'cni', 'state')));
  mkdirSync(join(dir, 'containerd'), { recursive: true });
  const ctdConfig = join(dir, 'containerd', 'config.toml');
  writeFileSync(ctdConfig, containerdConfig(dir, socket, cniConf));
  const ctdLog = join(logs, 'containerd.log');
  const ctd = startDetached('containerd', ['--config', ctdConfig], ctdLog);
  state.pgids.push(ctd);
  onChange(state);
  await waitFor(
    'containerd to answer on its socket',
    () => {
      if (!isAlive(ctd)) throw new Error(`containerd exited:\n${tail(ctdLog)}`);
      return tryRun('ctr', ['--address', socket, 'version'], 5000).code === 0 ? true : undefined;
    },
    60_000,
    250,
  );
  for (const archive of [bin['image-pause'], bin['image-busybox'], bin['image-serf']]) {
    run('ctr', ['--address', socket, '-n', 'k8s.io', 'images', 'import', archive], 120_000);
  }
  for (const name of STAND_INS) run('ctr', ['--address', socket, '-n', 'k8s.io', 'images', 'tag', '--force', IMAGES.busybox, name]);

  for (const h of cgroupHierarchies()) {
    const d = join(h, cgroupName);
    mkdirSync(d, { recursive: true });
    state.cgroupRoots.push(d);
  }
  onChange(state);

  const [port, healthzPort] = [await freePort(), await freePort()];
  const kubeletDir = join(dir, 'kubelet');
  mkdirSync(kubeletDir, { recursive: true });
  const kubeletConfigFile = join(dir, 'kubelet-config.yaml');
  writeFileSync(kubeletConfigFile, kubeletConfig({ socket, port, healthzPort, cgroupRoot: `/${cgroupName}`, dir }));
  const kubeletLog = join(logs, 'kubelet.log');
  const kubelet = startDetached(bin.kubelet, [
    `--config=${kubeletConfigFile}`,
    `--kubeconfig=${cp.kubeconfig}`,
    `--root-dir=${kubeletDir}`,
    `--cert-dir=${join(kubeletDir, 'pki')}`,
    `--hostname-override=${state.nodeName}`,
    `--node-ip=${BRIDGE_ADDRESS}`,
    '--v=2',
  ], kubeletLog);
  state.pgids.push(kubelet);
  onChange(state);

  const schedLog = join(logs, 'kube-scheduler.log');
  const sched = startDetached(bin['kube-scheduler'], [
    `--kubeconfig=${cp.kubeconfig}`,
    `--authentication-kubeconfig=${cp.kubeconfig}`,
    `--authorization-kubeconfig=${cp.kubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${await freePort()}`,
    '--leader-elect=false',
    '--v=1',
  ], schedLog);
  state.pgids.push(sched);
  onChange(state);

  try {
    await waitFor(
      `node ${state.nodeName} Ready`,
      async () => {
        if (!isAlive(kubelet)) throw new Error('the kubelet exited');
        if (!isAlive(ctd)) throw new Error('containerd exited');
        const r = await runKubectl(cp.kubectl, cp.kubeconfig, ['get', 'node', state.nodeName, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'], '', 10_000);
        return r.code === 0 && r.stdout.trim() === 'True' ? true : undefined;
      },
      180_000,
      1000,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- kubelet log (${kubeletLog}):\n${tail(kubeletLog, 30)}\n--- containerd log (${ctdLog}):\n${tail(ctdLog)}`, { cause: err });
  }
  // gossip-safe's own Deployment (installed from manifests/) would now be scheduled here, and its
  // image cannot be pulled; the suite runs the webhook as a local process, as `npm run e2e` does.
  const scale = await runKubectl(cp.kubectl, cp.kubeconfig, ['-n', 'gossip-safe', 'scale', 'deployment', '--all', '--replicas=0'], '', 30_000);
  if (scale.code !== 0) throw new Error(`kubectl scale of gossip-safe's Deployment to 0 failed: ${scale.stderr.trim()}`);
  // The apiserver's TaintNodesByCondition admission gives every new node the not-ready taint;
  // the node lifecycle controller, which would lift it once Ready, is not among the e2e
  // control plane's controllers (it would also evict pods), so lift it here.
  const untaint = await runKubectl(cp.kubectl, cp.kubeconfig, ['taint', 'node', state.nodeName, 'node.kubernetes.io/not-ready:NoSchedule-'], '', 30_000);
  if (untaint.code !== 0 && !/not found/.test(untaint.stderr)) throw new Error(`kubectl taint node ${state.nodeName} (lifting not-ready) failed: ${untaint.stderr.trim()}`);
  return state;
}

/** Mount points at or below `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => m !== undefined && (m === dir || m.startsWith(`${dir}/`)));
  return [...new Set(mounts)].sort((a, b) => b.length - a.length);
}

/** Removes a cgroup directory tree bottom-up (cgroup dirs are removed with rmdir, never rm -r). */
function removeCgroupTree(d: string): void {
  if (!existsSync(d)) return;
  for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) removeCgroupTree(join(d, e.name));
  try {
    rmdirSync(d);
  } catch {
    // still has a process; reported by the caller's leftover check
  }
}

/**
 * Undoes startNode, whatever stage it reached: pods are deleted while the kubelet still runs (so
 * it stops their containers and tears down their network), then the kubelet and the scheduler
 * stop, every container still known to containerd is killed and removed (so the shims exit),
 * containerd stops, and leftover mounts, pod network namespaces, cgroups, the bridge and the
 * kernel tunables are put back. Returns what it had to force, one line each (empty when clean).
 */
export async function stopNode(state: NodeState, cp: { kubeconfig: string; kubectl: string } | undefined): Promise<string[]> {
  const forced: string[] = [];
  const [ctd, kubelet, sched] = state.pgids;
  if (cp !== undefined && kubelet !== undefined && isAlive(kubelet)) {
    await runKubectl(cp.kubectl, cp.kubeconfig, ['delete', 'pods', '--all-namespaces', '--all', '--grace-period=0', '--force', '--wait=false'], '', 30_000).catch(() => undefined);
    try {
      await waitFor('containerd to run no container', () => (runningTasks(state.socket).length === 0 ? true : undefined), 60_000, 500);
    } catch (err) {
      forced.push(`pods did not stop through the kubelet: ${(err as Error).message}`);
    }
  }
  await stopGroups([sched, kubelet].filter((p): p is number => p !== undefined));
  if (ctd !== undefined && isAlive(ctd)) {
    const tasks = tryRun('ctr', ['--address', state.socket, '-n', 'k8s.io', 'tasks', 'ls', '-q'], 10_000).out.split('\n').filter((t) => t !== '');
    for (const t of tasks) {
      forced.push(`killed container ${t}`);
      tryRun('ctr', ['--address', state.socket, '-n', 'k8s.io', 'tasks', 'kill', '-s', 'SIGKILL', t], 10_000);
    }
    if (tasks.length > 0) await sleep(1000);
    for (const t of tasks) tryRun('ctr', ['--address', state.socket, '-n', 'k8s.io', 'tasks', 'delete', '-f', t], 10_000);
    const containers = tryRun('ctr', ['--address', state.socket, '-n', 'k8s.io', 'containers', 'ls', '-q'], 10_000).out.split('\n').filter((c) => c !== '');
    for (const c of containers) tryRun('ctr', ['--address', state.socket, '-n', 'k8s.io', 'containers', 'delete', c], 10_000);
  }
  if (ctd !== undefined) await stopGroups([ctd]);
  // Shims are daemons of their own (not in containerd's group); ours name our socket.
  for (const pid of shimPids(state.socket)) {
    forced.push(`killed containerd-shim ${pid}`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  if (existsSync(NETNS_DIR)) {
    for (const ns of readdirSync(NETNS_DIR)) {
      if (!ns.startsWith('cni-') || state.netnsBefore.includes(ns)) continue;
      forced.push(`removed network namespace ${ns}`);
      tryRun('umount', [join(NETNS_DIR, ns)]);
      rmSync(join(NETNS_DIR, ns), { force: true });
    }
  }
  for (const m of mountsUnder(state.dir)) {
    if (tryRun('umount', [m]).code !== 0) tryRun('umount', ['-l', m]);
  }
  // In the hybrid layout the kubelet also mirrors its cgroups into the (empty) cgroup2 hierarchy.
  const roots = [...state.cgroupRoots];
  const first = roots[0];
  if (first !== undefined && !first.startsWith('/sys/fs/cgroup/unified/')) {
    const name = first.split('/').pop() ?? '';
    if (name !== '' && existsSync(join('/sys/fs/cgroup/unified', name))) roots.push(join('/sys/fs/cgroup/unified', name));
  }
  for (const d of roots) removeCgroupTree(d);
  for (const d of roots) if (existsSync(d)) forced.push(`cgroup ${d} could not be removed`);
  // The kubelet links every container's log into /var/log/containers (a fixed path); ours point into our dir.
  if (existsSync(CONTAINER_LOG_LINKS)) {
    for (const l of readdirSync(CONTAINER_LOG_LINKS)) {
      const link = join(CONTAINER_LOG_LINKS, l);
      try {
        if (readlinkSync(link).startsWith(`${state.dir}/`)) rmSync(link, { force: true });
      } catch {
        // not a link
      }
    }
  }
  if (state.bridge !== undefined && tryRun('ip', ['link', 'show', state.bridge]).code === 0) tryRun('ip', ['link', 'del', state.bridge]);
  for (const [s, v] of Object.entries(state.sysctls)) {
    try {
      if (readFileSync(join('/proc/sys', s), 'utf8').trim() !== v) writeFileSync(join('/proc/sys', s), v);
    } catch (err) {
      forced.push(`could not restore ${s}=${v}: ${(err as Error).message}`);
    }
  }
  return forced;
}

/** Pids of containerd-shim processes started by the containerd on `socket`. */
function shimPids(socket: string): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    let cmd: string;
    try {
      cmd = readFileSync(join('/proc', p, 'cmdline'), 'utf8');
    } catch {
      continue;
    }
    const args = cmd.split('\0');
    if ((args[0] ?? '').includes('containerd-shim') && args.includes(socket)) pids.push(Number(p));
  }
  return pids;
}

/** Ids of the containers (sandboxes included) containerd on `socket` reports RUNNING. */
function runningTasks(socket: string): string[] {
  return tryRun('ctr', ['--address', socket, '-n', 'k8s.io', 'tasks', 'ls'], 5000)
    .out.split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[2] === 'RUNNING' && f[0] !== undefined)
    .map((f) => f[0] as string);
}
