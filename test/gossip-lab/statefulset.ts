import { randomUUID } from 'node:crypto';
import type { Container, Pod } from '../../src/k8s/types.js';
import { expandCommand, resolveContainerEnv, type PodFacts } from './kubelet-env.js';
import { GOSSIP_PORT, RPC_PORT, SerfAgent, runCommand } from './serf.js';

/** The admission step a pod goes through at CREATE: gossip-safe's mutation, or nothing. */
export type Admit = (pod: Pod) => Pod;

/**
 * One incarnation of a pod: a pod object with its own UID and IP, admitted once, and the Serf
 * agent its container runs. A StatefulSet pod that is re-created keeps its name (`db-2`) but gets
 * a new incarnation: new UID, usually a new IP.
 */
export interface Incarnation {
  readonly podName: string;
  readonly uid: string;
  readonly ip: string;
  /** The pod as admitted (after the webhook, if any). */
  readonly pod: Pod;
  readonly container: Container;
  /** The container's environment, resolved as the kubelet does. */
  readonly env: Readonly<Record<string, string>>;
  /** The node name the agent reported at start. */
  readonly nodeName: string;
  /** `ip:7946`, the address peers list for this member. */
  readonly gossipAddr: string;
  readonly rpcAddr: string;
  readonly agent: SerfAgent;
}

export interface GracefulStop {
  readonly preStop: readonly string[];
  readonly preStopExit: number | null;
  readonly preStopOutput: string;
  /** Whether the agent ended on its own after the preStop (within 2 s), before any SIGTERM. */
  readonly exitedAfterPreStop: boolean;
}

const AGENT_START_MS = 10_000;

/**
 * A StatefulSet of Serf pods on loopback addresses, with a minimal kubelet: it admits each new
 * pod, resolves its env, starts the container's agent, kills it, or stops it gracefully by
 * running its preStop hook first. Every agent it starts is tracked and destroyed by `destroy()`.
 */
export class SerfStatefulSet {
  readonly incarnations: Incarnation[] = [];
  private readonly agents: SerfAgent[] = [];

  constructor(
    private readonly options: {
      readonly name: string;
      readonly namespace: string;
      readonly template: Pod;
      readonly admit: Admit;
    },
  ) {}

  /** The pod the StatefulSet controller would create for this ordinal, after admission. */
  admitPod(ordinal: number): Pod {
    const pod = structuredClone(this.options.template);
    const metadata = { ...pod.metadata, name: `${this.options.name}-${ordinal}`, namespace: this.options.namespace };
    delete metadata.generateName;
    delete metadata.managedFields;
    pod.metadata = metadata;
    return this.options.admit(pod);
  }

  /**
   * Creates a pod for `ordinal` at `ip` and starts its container, joining `joinIps`.
   * Resolves once the agent runs (it may still lose a conflict afterwards).
   */
  async start(ordinal: number, ip: string, joinIps: readonly string[]): Promise<Incarnation> {
    const pod = this.admitPod(ordinal);
    const podName = pod.metadata?.name ?? '';
    const container = pod.spec?.containers.find((c) => c.name === 'serf');
    if (container === undefined) throw new Error('gossip lab: the pod template has no "serf" container');
    const facts: PodFacts = { uid: randomUUID(), name: podName, namespace: this.options.namespace, ip };
    const env = resolveContainerEnv(container, facts);
    const rpcAddr = `${ip}:${RPC_PORT}`;
    const agent = new SerfAgent({
      label: `${podName} uid ${facts.uid} at ${ip}`,
      argv: [
        // The container's process, as the kubelet expands it (`serf` is the image's entrypoint).
        ...expandCommand(container.command ?? ['serf'], env),
        ...expandCommand(container.args ?? [], env),
        // The lab's stand-in for the pod network: its own IP, Serf's default ports.
        `-bind=${ip}:${GOSSIP_PORT}`,
        `-rpc-addr=${rpcAddr}`,
        // Fast failure detection, so the lab fits in a test run.
        '-profile=local',
        '-log-level=info',
        ...joinIps.map((j) => `-join=${j}:${GOSSIP_PORT}`),
      ],
      env: processEnv(podName, env, rpcAddr),
    });
    this.agents.push(agent);
    await agent.ready(AGENT_START_MS);
    const inc: Incarnation = {
      podName,
      uid: facts.uid,
      ip,
      pod,
      container,
      env,
      nodeName: agent.nodeName(),
      gossipAddr: `${ip}:${GOSSIP_PORT}`,
      rpcAddr,
      agent,
    };
    this.incarnations.push(inc);
    return inc;
  }

  /** A hard crash: SIGKILL, no hook, no leave. */
  async crash(inc: Incarnation): Promise<void> {
    inc.agent.kill('SIGKILL');
    if (!(await inc.agent.waitForExit(5_000))) throw new Error(`gossip lab: ${inc.agent.label} survived SIGKILL`);
  }

  /**
   * What the kubelet does on pod deletion: run the preStop exec command exactly as it is in the
   * pod spec, inside the container's environment, within the grace period; then SIGTERM; and
   * SIGKILL when the grace period is over.
   */
  async gracefulStop(inc: Incarnation): Promise<GracefulStop> {
    const command = inc.container.lifecycle?.preStop?.exec?.command;
    if (command == null) throw new Error(`gossip lab: ${inc.podName} has no preStop exec hook`);
    const graceMs = (inc.pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000;
    const started = Date.now();
    const hook = await runCommand(command, processEnv(inc.podName, inc.env, inc.rpcAddr), graceMs);
    // Give the agent a moment to finish its own shutdown after the leave.
    const exitedAfterPreStop = await inc.agent.waitForExit(2_000);
    inc.agent.kill('SIGTERM');
    if (!(await inc.agent.waitForExit(Math.max(0, graceMs - (Date.now() - started))))) await inc.agent.destroy();
    return { preStop: command, preStopExit: hook.code, preStopOutput: hook.output, exitedAfterPreStop };
  }

  /** SIGKILLs every agent this StatefulSet started and waits until they are gone. */
  async destroy(): Promise<void> {
    await Promise.all(this.agents.map((a) => a.destroy()));
  }
}

/**
 * The environment of a process in the simulated container: the pod's resolved env, plus what the
 * container runtime adds (the image's PATH, HOSTNAME = the pod's hostname = its name), plus
 * SERF_RPC_ADDR. In a real pod the agent's RPC listens on 127.0.0.1:7373 in the pod's
 * own network namespace, which is where `serf leave` and `serf members` look by default. Lab pods
 * share the host's namespace, so each agent's RPC listens on its pod IP instead, and every
 * process of that pod is pointed there: the lab's stand-in for the pod's own loopback. The
 * injected preStop command itself runs unchanged.
 */
function processEnv(podName: string, env: Readonly<Record<string, string>>, rpcAddr: string): Record<string, string> {
  return { PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin', HOSTNAME: podName, ...env, SERF_RPC_ADDR: rpcAddr };
}
