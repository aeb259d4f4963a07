import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Container } from '../../src/k8s/types.js';
import { premigrateRuntimeEnv, type RuntimeEnvInput } from '../../src/premigrate/env.js';

/**
 * A temp dir where a generated pre-migration script runs for real under dash, with stub
 * executables on PATH standing in for the datastore:
 * - the server stub (`cassandra`, or `docker-entrypoint.py` for ScyllaDB) logs its start, runs
 *   until TERM or until `nodetool stopdaemon`, and logs on exit whether it was drained;
 * - `docker-entrypoint.sh` logs and execs its arguments, like the official Cassandra image's;
 * - `nodetool` answers `status` from a scenario (by call number), fails while no server runs,
 *   and logs `drain` and `stopdaemon`.
 * Every stub appends one line per event to calls.log, which tests read for ordering.
 */
export interface Sandbox {
  readonly dir: string;
  readonly dataDir: string;
  readonly bin: string;
  readonly state: string;
  calls(): string[];
  /** The arguments of every nodetool call, one line each. */
  nodetoolArgs(): string[];
  marker(): string | undefined;
  run(script: string, options?: RunOptions): Promise<RunResult>;
  cleanup(): void;
}

export interface RunOptions {
  readonly env?: Record<string, string>;
  readonly args?: readonly string[];
  /** Hard bound for the whole run; the test fails if the script outlives it. */
  readonly killAfterMs?: number;
  /** Send SIGTERM to the script once its output contains this text (as the kubelet would). */
  readonly signalWhenLogged?: string;
}

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly output: string;
  /** The script's own log lines (prefixed `gossip-premigrate:`), without timestamps. */
  readonly log: string[];
}

/**
 * One node line of `nodetool status`: state (UN, DN, UJ, ...) and address ('self' = POD_IP).
 * The line with address 'self', or marked 'self' as third element, carries this node's host ID
 * (SELF_HOST_ID, which the `nodetool info` stub reports); the others carry other host IDs.
 */
export type NodeLine = readonly [state: string, address: string, self?: 'self'];

/** What `nodetool status` answers from call `from` on (1-based); `fail` = JMX not up yet. */
export interface StatusPhase {
  readonly from: number;
  readonly nodes?: readonly NodeLine[];
  readonly fail?: boolean;
}

export const POD_IP = '10.244.1.23';
export const TARGET = 'cassandra:4.1.3';
export const SOURCE = 'cassandra:3.11.16';
export const SELF_HOST_ID = '6d1f4c2a-0000-4000-8000-0000000000aa';

const SERVER_STUB = `#!/bin/sh
S=$STUB_STATE
echo "server start $* JVM_EXTRA_OPTS=\${JVM_EXTRA_OPTS:-}" >> "$S/calls.log"
if [ -f "$S/die-early" ]; then echo "server died" >> "$S/calls.log"; exit 3; fi
if [ -f "$S/reject-config" ]; then
  echo "INFO  [main] loading config"
  cat "$S/reject-config"
  [ -f "$S/reject-and-exit" ] && exit 3
fi
touch "$S/running"
stop_now() {
  drained=no
  [ -f "$S/drained" ] && drained=yes
  marker=none
  [ -f "$STUB_MARKER" ] && marker=$(head -n 1 "$STUB_MARKER")
  echo "server exit by=$1 drained=$drained marker=$marker" >> "$S/calls.log"
  rm -f "$S/running"
  exit 0
}
trap 'stop_now TERM' TERM
while :; do
  [ -d "$S" ] || exit 0
  [ -f "$S/stop-requested" ] && stop_now stopdaemon
  sleep 0.05
done
`;

const ENTRYPOINT_STUB = `#!/bin/sh
echo "entrypoint $*" >> "$STUB_STATE/calls.log"
# Like the official image's: no arguments, or options only, mean "cassandra -f <options>".
if [ "$#" -eq 0 ] || [ "\${1#-}" != "$1" ]; then set -- cassandra -f "$@"; fi
exec "$@"
`;

const NODETOOL_STUB = `#!/bin/sh
S=$STUB_STATE
# Every call's options, then the sub-command: -D... JVM options, -p port, -u user, -pw/-pwf.
echo "$*" >> "$S/nodetool-args.log"
auth=
while [ "$#" -gt 0 ]; do
  case $1 in
  -D*) shift ;;
  -p | -h) shift 2 ;;
  -u) auth="$auth user=$2"; shift 2 ;;
  -pw | -pwf) auth="$auth $1=$2"; shift 2 ;;
  *) break ;;
  esac
done
# JMX authentication on (LOCAL_JMX=no): refused without a user and a password (file).
if [ -f "$S/require-auth" ] && [ -f "$S/running" ] && [ "$auth" != " $(cat "$S/require-auth")" ]; then
  echo "nodetool: Failed to connect to '127.0.0.1:7199' - SecurityException: 'Authentication failed! Credentials required'." >&2
  exit 1
fi
# A hung call (a JMX that accepts and never answers): runs until the sandbox is removed.
if [ -f "$S/hang-$1" ]; then
  echo "nodetool $1 hangs" >> "$S/calls.log"
  while [ -d "$S" ]; do sleep 0.1; done
  exit 1
fi
case $1 in
status)
  if [ ! -f "$S/running" ]; then echo "nodetool: Failed to connect to '127.0.0.1:7199'" >&2; exit 1; fi
  n=$(($(cat "$S/status.count" 2> /dev/null || echo 0) + 1))
  echo "$n" > "$S/status.count"
  . "$S/status.sh"
  ;;
info)
  if [ ! -f "$S/running" ]; then echo "nodetool: Failed to connect to '127.0.0.1:7199'" >&2; exit 1; fi
  # A slow start (JVM start, commit-log replay): JMX refuses the first N info calls.
  if [ -f "$S/info-fails" ]; then
    k=$(($(cat "$S/info.count" 2> /dev/null || echo 0) + 1))
    echo "$k" > "$S/info.count"
    if [ "$k" -le "$(cat "$S/info-fails")" ]; then echo "nodetool: Failed to connect to '127.0.0.1:7199'" >&2; exit 1; fi
  fi
  echo "ID                     : $STUB_HOST_ID"
  echo "Gossip active          : true"
  ;;
drain)
  echo "nodetool drain" >> "$S/calls.log"
  touch "$S/drained"
  ;;
stopdaemon)
  echo "nodetool stopdaemon" >> "$S/calls.log"
  touch "$S/stop-requested"
  ;;
*)
  echo "nodetool stub: unexpected $*" >> "$S/calls.log"
  exit 1
  ;;
esac
`;

function statusText(nodes: readonly NodeLine[]): string {
  const lines = nodes.map(([st, addr, self], i) => {
    const id = addr === 'self' || self === 'self' ? SELF_HOST_ID : `6d1f4c2a-0000-4000-8000-00000000000${i}`;
    return `${st}  ${addr === 'self' ? POD_IP : addr}  1.2 MiB  16  33.3%  ${id}  rack1`;
  });
  return [
    'Datacenter: datacenter1',
    '=======================',
    'Status=Up/Down',
    '|/ State=Normal/Leaving/Joining/Moving',
    '--  Address  Load  Tokens  Owns (effective)  Host ID  Rack',
    ...lines,
  ].join('\n');
}

/** The status.sh the nodetool stub sources: a case on the call number $n. */
function statusScript(phases: readonly StatusPhase[]): string {
  const ordered = [...phases].sort((a, b) => b.from - a.from);
  const branches = ordered.map((p) => {
    const body = p.fail === true ? `echo "nodetool: Failed to connect to '127.0.0.1:7199'" >&2; exit 1` : `cat << 'EOF'\n${statusText(p.nodes ?? [])}\nEOF`;
    return `if [ "$n" -ge ${p.from} ]; then\n${body}\nexit 0\nfi`;
  });
  return `${branches.join('\n')}\nexit 1\n`;
}

function writeExecutable(path: string, text: string): void {
  writeFileSync(path, text);
  chmodSync(path, 0o755);
}

export interface SandboxOptions {
  /** Name of the server stub: `cassandra` (behind docker-entrypoint.sh) or `docker-entrypoint.py`. */
  readonly server: 'cassandra' | 'docker-entrypoint.py';
  readonly withEntrypoint?: boolean;
  readonly status?: readonly StatusPhase[];
  readonly serverDiesEarly?: boolean;
  /** The server prints these lines (its config rejection) at start; then exits 3, or runs on. */
  readonly rejectConfig?: { readonly lines: string; readonly exit: boolean };
  /** nodetool sub-commands that hang (never answer) until the sandbox is removed. */
  readonly hang?: readonly string[];
  /** `nodetool info` fails this many times while the server runs (a slow start). */
  readonly infoFailsFirst?: number;
  /** JMX authentication on: nodetool answers only with exactly these options (`user=u -pwf=/f`). */
  readonly requireAuth?: string;
}

export function createSandbox(options: SandboxOptions): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'gossip-premigrate-'));
  const bin = join(dir, 'bin');
  const state = join(dir, 'state');
  const dataDir = join(dir, 'data');
  for (const d of [bin, state, dataDir]) mkdirSync(d);
  writeExecutable(join(bin, options.server), SERVER_STUB);
  if (options.withEntrypoint === true) writeExecutable(join(bin, 'docker-entrypoint.sh'), ENTRYPOINT_STUB);
  writeExecutable(join(bin, 'nodetool'), NODETOOL_STUB);
  writeFileSync(join(state, 'status.sh'), statusScript(options.status ?? []));
  writeFileSync(join(state, 'calls.log'), '');
  if (options.serverDiesEarly === true) writeFileSync(join(state, 'die-early'), '');
  if (options.rejectConfig !== undefined) {
    writeFileSync(join(state, 'reject-config'), `${options.rejectConfig.lines}\n`);
    if (options.rejectConfig.exit) writeFileSync(join(state, 'reject-and-exit'), '');
  }
  if (options.requireAuth !== undefined) writeFileSync(join(state, 'require-auth'), `${options.requireAuth}\n`);
  for (const sub of options.hang ?? []) writeFileSync(join(state, `hang-${sub}`), '');
  if (options.infoFailsFirst !== undefined) writeFileSync(join(state, 'info-fails'), `${options.infoFailsFirst}\n`);
  const markerPath = join(dataDir, '.gossip-safe', 'premigrated');

  return {
    dir,
    dataDir,
    bin,
    state,
    calls: () => readFileSync(join(state, 'calls.log'), 'utf8').split('\n').filter((l) => l !== ''),
    nodetoolArgs: () => (existsSync(join(state, 'nodetool-args.log')) ? readFileSync(join(state, 'nodetool-args.log'), 'utf8').split('\n').filter((l) => l !== '') : []),
    marker: () => (existsSync(markerPath) ? readFileSync(markerPath, 'utf8') : undefined),
    run: (script, runOptions = {}) => runScript(script, { PATH: `${bin}:${process.env['PATH'] ?? '/usr/bin:/bin'}`, STUB_STATE: state, STUB_MARKER: markerPath, STUB_HOST_ID: SELF_HOST_ID }, runOptions),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Fast settings for tests: 50 ms polls, 3 stable checks, 5 s stop wait. The timeout is generous
 * (a loaded machine must not turn a converging run into a timeout); the timeout test sets 2 s.
 */
export const FAST_ENV: Readonly<Record<string, string>> = {
  GOSSIP_SAFE_POLL_SECONDS: '0.05',
  GOSSIP_SAFE_STABLE_CHECKS: '3',
  GOSSIP_SAFE_PREMIGRATE_TIMEOUT: '30',
  GOSSIP_SAFE_STOP_SECONDS: '5',
};

function runScript(script: string, stubEnv: Record<string, string>, options: RunOptions): Promise<RunResult> {
  const env = {
    ...stubEnv,
    POD_IP,
    GOSSIP_SAFE_TARGET_IMAGE: TARGET,
    GOSSIP_SAFE_SOURCE_IMAGE: SOURCE,
    ...FAST_ENV,
    ...options.env,
  };
  // The init container's command: /bin/sh -c <script> gossip-premigrate <main container args>.
  const child = spawn('dash', ['-c', script, 'gossip-premigrate', ...(options.args ?? [])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let signalled = false;
  child.stdout.on('data', (c: Buffer) => {
    output += c.toString('utf8');
    if (!signalled && options.signalWhenLogged !== undefined && output.includes(options.signalWhenLogged)) {
      signalled = true;
      child.kill('SIGTERM');
    }
  });
  child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const killer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 25000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      const log = output
        .split('\n')
        .filter((l) => l.includes(' gossip-premigrate: '))
        .map((l) => l.slice(l.indexOf(' gossip-premigrate: ') + ' gossip-premigrate: '.length));
      resolve({ code, signal, output, log });
    });
  });
}

/** The env the webhook puts on the init container for these images (premigrateRuntimeEnv). */
export function runtimeEnv(from: string, target: string, extra: Partial<Pick<RuntimeEnvInput, 'main'>> = {}): Record<string, string> {
  const main: Container = extra.main ?? { name: 'cassandra', image: target };
  const env = premigrateRuntimeEnv({ kind: 'cassandra', main, from, dataDirs: ['/var/lib/cassandra'], volumes: [], persistentVolumeNames: new Set() });
  return { GOSSIP_SAFE_SOURCE_IMAGE: from, GOSSIP_SAFE_TARGET_IMAGE: target, ...Object.fromEntries(env.map((e) => [e.name, e.value ?? ''])) };
}

/** Writes a stand-in SSTable file named `file` under `dataDir`'s data/<keyspace>/<table>; returns its path. */
export function sstable(dataDir: string, file: string, table = 'lab/rows-0c6dd2a0ecd811f1b7b945fa36c1527e'): string {
  const dir = join(dataDir, 'data', ...table.split('/'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, file), 'sstable');
  return join(dir, file);
}
