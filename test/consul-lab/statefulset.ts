import { randomUUID } from 'node:crypto';
import type { Container, Pod } from '../../src/k8s/types.js';
import { expandCommand, resolveContainerEnv, type PodFacts } from '../gossip-lab/kubelet-env.js';
import { LabProcess, runCommand } from '../helpers/lab-process.js';
import { HTTP_PORT, LAN_PORT, LabDir, aclConfig, agentFlags } from './consul.js';

export type Admit = (pod: Pod) => Pod;

/** One incarnation of a Consul client pod: its own UID, IP, fresh data dir, and agent. */
export interface ClientIncarnation {
  readonly podName: string;
  readonly uid: string;
  readonly ip: string;
  readonly pod: Pod;
  readonly container: Container;
  readonly env: Readonly<Record<string, string>>;
  /** The node name the agent registered (`Node name: "..."` in its start banner). */
  readonly nodeName: string;
  readonly lanAddr: string;
  readonly agent: LabProcess;
  readonly processEnv: Readonly<Record<string, string>>;
}

export interface GracefulStop {
  readonly preStop: readonly string[] | undefined;
  readonly preStopExit: number | null;
  readonly preStopOutput: string;
}

const START_MS = 20_000;

/**
 * A StatefulSet of Consul client pods with a minimal kubelet, like the gossip lab's: admit, resolve
 * env, start the container's agent (with the lab's address, data dir and ACL config), crash it,
 * or stop it gracefully (preStop exec, SIGTERM, SIGKILL after the grace period).
 */
export class ConsulClientSet {
  readonly incarnations: ClientIncarnation[] = [];
  private readonly agents: LabProcess[] = [];

  constructor(
    private readonly options: {
      readonly name: string;
      readonly template: Pod;
      readonly admit: Admit;
      readonly lab: LabDir;
      readonly servers: readonly string[];
      /** The client agents' ACL token, put in their config as consul-k8s's acl-init does. */
      readonly agentToken: string;
    },
  ) {}

  async start(ordinal: number, ip: string): Promise<ClientIncarnation> {
    const raw = structuredClone(this.options.template);
    raw.metadata = { ...raw.metadata, name: `${this.options.name}-${ordinal}`, namespace: 'consul' };
    const pod = this.options.admit(raw);
    const podName = `${this.options.name}-${ordinal}`;
    const container = pod.spec?.containers.find((c) => c.name === 'consul');
    if (container === undefined) throw new Error('consul lab: the pod template has no "consul" container');
    const facts: PodFacts = { uid: randomUUID(), name: podName, namespace: 'consul', ip };
    const env = resolveContainerEnv(container, facts);
    const { lab } = this.options;
    const aclFile = lab.file(`${podName}-${facts.uid}-acl.json`, aclConfig(this.options.agentToken));
    const processEnv = {
      PATH: `${lab.binDir}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
      HOSTNAME: podName,
      ...env,
      // The pod's own loopback HTTP address, where `consul leave` looks by default; lab pods
      // share the host's network namespace, so each agent's HTTP listens on its pod IP instead.
      CONSUL_HTTP_ADDR: `http://${ip}:${HTTP_PORT}`,
    };
    const agent = new LabProcess({
      label: `${podName} uid ${facts.uid} at ${ip}`,
      argv: [
        ...expandCommand(container.command ?? ['consul'], env),
        ...expandCommand(container.args ?? [], env),
        ...agentFlags(ip, lab.dir(`${podName}-${facts.uid}`), aclFile, this.options.servers),
      ],
      env: processEnv,
      readyText: 'Consul agent running!',
    });
    this.agents.push(agent);
    await agent.ready(START_MS);
    const m = /Node name: "([^"]*)"/.exec(agent.log) ?? /Node name: '([^']*)'/.exec(agent.log);
    if (m === null) throw new Error(`consul lab: ${agent.label} did not report its node name:\n${agent.log}`);
    const inc: ClientIncarnation = {
      podName,
      uid: facts.uid,
      ip,
      pod,
      container,
      env,
      nodeName: m[1]!,
      lanAddr: `${ip}:${LAN_PORT}`,
      agent,
      processEnv,
    };
    this.incarnations.push(inc);
    return inc;
  }

  async crash(inc: ClientIncarnation): Promise<void> {
    inc.agent.kill('SIGKILL');
    if (!(await inc.agent.waitForExit(5_000))) throw new Error(`consul lab: ${inc.agent.label} survived SIGKILL`);
  }

  /** The kubelet's pod deletion: the preStop exec as in the spec, then SIGTERM, SIGKILL after the grace period. */
  async gracefulStop(inc: ClientIncarnation): Promise<GracefulStop> {
    const command = inc.container.lifecycle?.preStop?.exec?.command ?? undefined;
    const graceMs = (inc.pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000;
    const started = Date.now();
    const hook = command === undefined ? { code: null, output: '' } : await runCommand(command, inc.processEnv, graceMs);
    inc.agent.kill('SIGTERM');
    if (!(await inc.agent.waitForExit(Math.max(0, graceMs - (Date.now() - started))))) await inc.agent.destroy();
    return { preStop: command, preStopExit: hook.code, preStopOutput: hook.output };
  }

  async destroy(): Promise<void> {
    await Promise.all(this.agents.map((a) => a.destroy()));
  }
}
