import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Container, Pod } from '../../src/k8s/types.js';
import { imageVersion } from '../../src/profiles/version.js';
import { expandCommand, resolveContainerEnv } from '../gossip-lab/kubelet-env.js';
import { killGroup, run, type CommandResult } from './host.js';
import { createNamespace, deleteNamespace } from './network.js';
import type { Release } from './runtime.js';

/** The official image's ENTRYPOINT and CMD, which the kubelet uses when the pod does not override them. */
const IMAGE_ENTRYPOINT = ['docker-entrypoint.sh'];
const IMAGE_CMD = ['cassandra', '-f'];
const IMAGE_PATH = '/opt/cassandra/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const CLUSTER_DOMAIN = 'cassandra.cassandra-prod.svc.cluster.local';

/**
 * Sets up the container's view inside `ip netns exec <ns> unshare --mount --uts`: the pod's
 * hostname, then each bind mount `source target` (the pod's volumes at their mountPaths, the
 * image at /opt/cassandra, the pod's /etc/hosts), then execs the container's process. The
 * process's pid is the container's: `ip netns exec`, `unshare` and `sh` all exec.
 */
const CONTAINER_SETUP = String.raw`set -e
hostname "$1"; shift
while [ "$1" != -- ]; do
  if [ -d "$1" ]; then mkdir -p "$2"; else [ -e "$2" ] || : > "$2"; fi
  mount --bind "$1" "$2"; shift 2
done
shift
exec "$@"`;

export interface ContainerRun {
  readonly name: string;
  readonly image: string;
  readonly argv: readonly string[];
  readonly logFile: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<number | null>;
  exitCode?: number | null;
  /** The container's log so far. */
  log(): string;
}

/** One pod incarnation: its UID, IP, network namespace and run directory. */
export interface PodRun {
  readonly name: string;
  readonly ordinal: number;
  readonly uid: string;
  readonly ip: string;
  readonly ns: string;
  readonly pod: Pod;
  readonly dir: string;
  readonly containers: ContainerRun[];
  main?: ContainerRun;
}

export interface KubeletOptions {
  readonly runDir: string;
  readonly namespace: string;
  /** Container image -> the lab's release directory for it. */
  readonly releases: ReadonlyMap<string, Release>;
  /**
   * The uid the image's entrypoint steps down to when it starts as root (the official image's
   * `cassandra` user is 999); undefined: the stand-in stays root. Given to every container's
   * process (not the pod spec) as CASSANDRA_LAB_RUN_AS, the image's own knowledge.
   */
  readonly runAs?: number;
}

/**
 * A minimal kubelet for the lab's Cassandra pods. Each pod gets a new network namespace with a
 * new IP; each container runs in it with its own mount namespace, where the pod's volumes are
 * bound at their mountPaths. The PersistentVolumeClaim `data-<pod>` is a directory under the
 * run dir that outlives every incarnation. Init containers run in order to completion; the main
 * container starts only when all of them exited 0. Every process it starts is tracked.
 */
export class Kubelet {
  readonly pods: PodRun[] = [];
  private readonly hostsEntries = new Map<string, string>();

  constructor(private readonly options: KubeletOptions) {}

  pvcDir(podName: string): string {
    return join(this.options.runDir, 'pvc', `data-${podName}`);
  }

  private releaseFor(image: string): Release {
    const version = imageVersion(image)?.text;
    const release = version === undefined ? undefined : this.options.releases.get(version);
    if (release === undefined) throw new Error(`cassandra lab: no release resolved for image ${image}`);
    return release;
  }

  /** The cluster's DNS, as /etc/hosts lines: every running pod's stable name at its current IP. */
  private writeHosts(): void {
    const lines = ['127.0.0.1 localhost'];
    for (const [name, ip] of this.hostsEntries) lines.push(`${ip} ${name}.${CLUSTER_DOMAIN} ${name}`);
    const text = Buffer.from(`${lines.join('\n')}\n`);
    for (const p of this.pods) {
      const file = join(p.dir, 'hosts');
      if (!existsSync(file)) continue;
      // Rewritten in place (running containers have this inode bind-mounted), without a
      // truncation first: a resolver reading it meanwhile must never find it empty.
      const fd = openSync(file, 'r+');
      try {
        writeSync(fd, text, 0, text.length, 0);
        ftruncateSync(fd, text.length);
      } finally {
        closeSync(fd);
      }
    }
  }

  /** Creates the pod's sandbox (namespace, IP, hosts) and records it. */
  async createPod(pod: Pod, ordinal: number, slot: number, ip: string): Promise<PodRun> {
    const name = pod.metadata?.name ?? '';
    const uid = randomUUID();
    const ns = await createNamespace(slot, ip);
    const dir = join(this.options.runDir, 'pods', `${name}-${uid.slice(0, 8)}`);
    mkdirSync(dir, { recursive: true });
    mkdirSync(this.pvcDir(name), { recursive: true });
    writeFileSync(join(dir, 'hosts'), '');
    const p: PodRun = { name, ordinal, uid, ip, ns, pod, dir, containers: [] };
    this.pods.push(p);
    this.hostsEntries.set(name, ip);
    this.writeHosts();
    return p;
  }

  /** Starts one container of the pod (init or main) as the kubelet would. */
  startContainer(p: PodRun, container: Container): ContainerRun {
    const image = container.image ?? '';
    const release = this.releaseFor(image);
    const env = resolveContainerEnv(container, { uid: p.uid, name: p.name, namespace: this.options.namespace, ip: p.ip });
    // Kubernetes: command replaces ENTRYPOINT (and then CMD is dropped); args replace CMD.
    const command = container.command ?? IMAGE_ENTRYPOINT;
    const args = container.args ?? (container.command === undefined ? IMAGE_CMD : []);
    const argv = [...expandCommand(command, env), ...expandCommand(args, env)];
    const cdir = join(p.dir, `${container.name}-${p.containers.length}`);
    mkdirSync(join(cdir, 'etc-cassandra'), { recursive: true });
    mkdirSync(join(cdir, 'var-log-cassandra'), { recursive: true });
    mkdirSync(join(cdir, 'var-lib-cassandra'), { recursive: true });
    const mounts: string[] = [
      release.imageDir, '/opt/cassandra',
      join(p.dir, 'hosts'), '/etc/hosts',
      // The container's own writable layer for what the image declares.
      join(cdir, 'etc-cassandra'), '/etc/cassandra',
      join(cdir, 'var-log-cassandra'), '/var/log/cassandra',
      join(cdir, 'var-lib-cassandra'), '/var/lib/cassandra',
    ];
    for (const m of container.volumeMounts ?? []) {
      const volume = p.pod.spec?.volumes?.find((v) => v.name === m.name);
      let source: string;
      if (volume?.persistentVolumeClaim !== undefined) source = this.pvcDir(p.name);
      else if (volume?.emptyDir !== undefined) source = join(p.dir, 'volumes', m.name);
      else throw new Error(`cassandra lab: volume ${m.name} of ${p.name} is not simulated`);
      mkdirSync(source, { recursive: true });
      const sub = m.subPath === undefined ? source : join(source, m.subPath);
      mkdirSync(sub, { recursive: true });
      mounts.push(sub, m.mountPath);
    }
    const logFile = join(cdir, 'log');
    const fd = openSync(logFile, 'a');
    const processEnv: NodeJS.ProcessEnv = { PATH: IMAGE_PATH, HOSTNAME: p.name, HOME: '/root', ...env };
    if (this.options.runAs !== undefined) processEnv['CASSANDRA_LAB_RUN_AS'] = String(this.options.runAs);
    const child = spawn(
      'ip',
      ['netns', 'exec', p.ns, 'unshare', '--mount', '--uts', '--propagation', 'private', 'sh', '-c', CONTAINER_SETUP, 'container-setup', p.name, ...mounts, '--', ...argv],
      { env: processEnv, stdio: ['ignore', fd, fd], detached: true },
    );
    closeSync(fd);
    const pid = child.pid;
    if (pid === undefined) throw new Error(`cassandra lab: could not start ${container.name} of ${p.name}`);
    const runInfo: ContainerRun = {
      name: container.name,
      image,
      argv,
      logFile,
      child,
      pid,
      exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal === null ? null : 128)))),
      log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    };
    void runInfo.exited.then((c) => (runInfo.exitCode = c));
    p.containers.push(runInfo);
    return runInfo;
  }

  /**
   * Runs a command inside a running container (its network, mount and UTS namespaces), as
   * `kubectl exec` or an exec probe/hook does, with the container's environment.
   */
  exec(c: ContainerRun, argv: readonly string[], timeoutMs: number): Promise<CommandResult> {
    return run(['nsenter', '-t', String(c.pid), '-m', '-u', '-n', '--', ...argv], {
      timeoutMs,
      env: { PATH: IMAGE_PATH, HOME: '/root' },
    });
  }

  /** SIGTERM to the container's process group, then SIGKILL after `graceMs`. */
  async stopContainer(c: ContainerRun, graceMs: number): Promise<void> {
    if (c.exitCode !== undefined) return;
    killGroup(c.pid, 'SIGTERM');
    const done = await Promise.race([c.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), graceMs))]);
    if (!done) {
      killGroup(c.pid, 'SIGKILL');
      await Promise.race([c.exited, new Promise((r) => setTimeout(r, 10_000))]);
    }
  }

  /** Deletes the pod: every container stopped, its namespace (and every process in it) gone. */
  async deletePod(p: PodRun, graceMs: number): Promise<void> {
    for (const c of p.containers) await this.stopContainer(c, graceMs);
    await deleteNamespace(p.ns);
    if (this.hostsEntries.get(p.name) === p.ip) this.hostsEntries.delete(p.name);
  }

  /** Kills everything this kubelet started. */
  async destroy(): Promise<void> {
    for (const p of this.pods) {
      for (const c of p.containers) if (c.exitCode === undefined) killGroup(c.pid, 'SIGKILL');
      await deleteNamespace(p.ns);
    }
  }
}
