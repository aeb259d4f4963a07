import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LabProcess } from '../helpers/lab-process.js';

/**
 * Real Consul agents for the Consul lab: servers started directly, clients started from an
 * admitted pod (statefulset.ts). Each agent has its own loopback IP with Consul's default ports
 * (8300 server RPC, 8301 LAN gossip, 8302 WAN, 8500 HTTP); DNS and gRPC are off.
 */
export const HTTP_PORT = 8500;
export const LAN_PORT = 8301;

/** Consul's LAN member status codes (serf.MemberStatus), as /v1/agent/members reports them. */
const MEMBER_STATUS: Record<number, string> = { 0: 'none', 1: 'alive', 2: 'leaving', 3: 'left', 4: 'failed' };

export interface ConsulMember {
  readonly name: string;
  /** `ip:8301` */
  readonly addr: string;
  readonly status: string;
}

export interface CatalogNode {
  readonly name: string;
  readonly address: string;
  readonly id: string;
  /** The node's serfHealth check: passing, critical, or missing. */
  readonly serfHealth: string;
}

/** A scratch directory for one lab run: agents' data dirs, ACL files, the `consul` on PATH. */
export class LabDir {
  readonly root = mkdtempSync(join(tmpdir(), 'gossip-safe-consul-lab-'));
  readonly binDir = join(this.root, 'bin');

  constructor(consulBin: string) {
    mkdirSync(this.binDir);
    // The image's `consul` on PATH, for the container's command and its preStop hook.
    symlinkSync(consulBin, join(this.binDir, 'consul'));
  }

  dir(name: string): string {
    const d = join(this.root, name);
    mkdirSync(d, { recursive: true });
    return d;
  }

  file(name: string, content: string): string {
    const f = join(this.root, name);
    writeFileSync(f, content, { mode: 0o600 });
    return f;
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/**
 * The settings every lab agent shares, on top of what its pod says: its own address and ports,
 * a fresh data dir, ACLs (deny by default; `aclConfig` gives the agent its token, as consul-k8s's
 * acl-init does with a config file), and a Raft timing multiplier of 1 so elections fit a test.
 * Gossip timings are Consul's own defaults: the lab measures them.
 */
export function agentFlags(ip: string, dataDir: string, aclConfigFile: string, join: readonly string[]): string[] {
  return [
    `-bind=${ip}`,
    `-advertise=${ip}`,
    `-client=${ip}`,
    `-data-dir=${dataDir}`,
    `-config-file=${aclConfigFile}`,
    '-hcl=ports { dns = -1, grpc = -1 }',
    '-hcl=performance { raft_multiplier = 1 }',
    '-hcl=disable_update_check = true',
    '-log-level=debug',
    ...join.map((j) => `-retry-join=${j}`),
    '-retry-interval=1s',
  ];
}

export function aclConfig(agentToken: string, managementToken?: string): string {
  return JSON.stringify({
    acl: {
      enabled: true,
      default_policy: 'deny',
      down_policy: 'extend-cache',
      tokens: { agent: agentToken, ...(managementToken !== undefined ? { initial_management: managementToken } : {}) },
    },
  });
}

export function startServer(consulBin: string, lab: LabDir, n: number, ip: string, all: readonly string[], managementToken: string): LabProcess {
  const acl = lab.file(`server-${n}-acl.json`, aclConfig(managementToken, managementToken));
  return new LabProcess({
    label: `consul-server-${n} at ${ip}`,
    argv: [
      consulBin,
      'agent',
      '-server',
      '-bootstrap-expect=3',
      `-node=consul-server-${n}`,
      ...agentFlags(ip, lab.dir(`server-${n}`), acl, all.filter((a) => a !== ip)),
    ],
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
    readyText: 'Consul agent running!',
  });
}

async function api<T>(ip: string, path: string, token: string): Promise<T> {
  const res = await fetch(`http://${ip}:${HTTP_PORT}${path}`, { headers: { 'X-Consul-Token': token }, signal: AbortSignal.timeout(3_000) });
  if (!res.ok) throw new Error(`GET ${path} on ${ip}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** `consul members` as one agent sees it (its LAN pool). */
export async function members(ip: string, token: string): Promise<ConsulMember[]> {
  const raw = await api<{ Name: string; Addr: string; Port: number; Status: number }[]>(ip, '/v1/agent/members', token);
  return raw.map((m) => ({ name: m.Name, addr: `${m.Addr}:${m.Port}`, status: MEMBER_STATUS[m.Status] ?? String(m.Status) }));
}

/** The catalog's nodes and each node's serfHealth, read through one server. */
export async function catalog(ip: string, token: string): Promise<CatalogNode[]> {
  const nodes = await api<{ Node: string; Address: string; ID: string }[]>(ip, '/v1/catalog/nodes', token);
  const checks = await api<{ Node: string; CheckID: string; Status: string }[]>(ip, '/v1/health/state/any', token);
  return nodes.map((n) => ({
    name: n.Node,
    address: n.Address,
    id: n.ID,
    serfHealth: checks.find((c) => c.Node === n.Node && c.CheckID === 'serfHealth')?.Status ?? 'missing',
  }));
}

export function describeMembers(viewer: string, view: readonly ConsulMember[]): string {
  return `  ${viewer} sees:\n${[...view].sort((a, b) => a.name.localeCompare(b.name)).map((m) => `    ${m.name}  ${m.addr}  ${m.status}`).join('\n')}`;
}

export function describeCatalog(nodes: readonly CatalogNode[]): string {
  return `  catalog:\n${[...nodes].sort((a, b) => a.name.localeCompare(b.name)).map((n) => `    ${n.name}  ${n.address}  ${n.id.slice(0, 8)}  serfHealth=${n.serfHealth}`).join('\n')}`;
}
