import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** A server the benchmark started in its own process, listening on loopback. */
export interface ServerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly port: number;
  /** Sends SIGTERM and waits for the exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `command ...args` (node by default) with stdout and stderr going to `logFile`, and waits (at most
 * `timeoutMs`) until `findPort` recognises the port in one of the JSON lines it wrote.
 * Logging to a file rather than a pipe keeps the benchmark process out of the server's way.
 */
export async function startServerProcess(
  name: string,
  args: readonly string[],
  logFile: string,
  findPort: (line: Record<string, unknown>) => number | undefined,
  timeoutMs = 20_000,
  command: string = process.execPath,
): Promise<ServerProcess> {
  const fd = openSync(logFile, 'w');
  const child = spawn(command, [...args], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = once(child, 'exit');
  const deadline = Date.now() + timeoutMs;
  let port: number | undefined;
  while (port === undefined) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited before listening (code ${child.exitCode}); log:\n${readFileSync(logFile, 'utf8')}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not report a port within ${timeoutMs} ms; log:\n${readFileSync(logFile, 'utf8')}`);
    }
    for (const line of readFileSync(logFile, 'utf8').split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        port ??= findPort(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // a partly written line: read it again on the next poll
      }
    }
    if (port === undefined) await sleep(50);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name} has no pid`);
  return {
    name,
    child,
    pid,
    port,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Peak resident set size of a live process, in bytes (VmHWM in /proc/PID/status). */
export function peakRssBytes(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match?.[1] === undefined) throw new Error(`no VmHWM for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** The process and its descendants (cluster workers), from /proc/PID/task/TID/children. */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    const p = out[i]!;
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      continue; // exited meanwhile
    }
    for (const tid of tasks) {
      try {
        for (const child of readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8').trim().split(/\s+/)) if (child !== '') out.push(Number(child));
      } catch {
        // the thread ended meanwhile
      }
    }
  }
  return out;
}

/** CPU seconds used so far by a process and its descendants (a cluster primary and its workers). */
export function treeCpuSeconds(pid: number): number {
  let total = 0;
  for (const p of processTree(pid)) {
    try {
      total += cpuSeconds(p);
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

/** Sum of the peak RSS of a process and its descendants: what one pod with N workers needs at most. */
export function treePeakRssBytes(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + peakRssBytes(p), 0);
}

/** CPU seconds (user + system) a process has used so far, from /proc/PID/stat. */
export function cpuSeconds(pid: number | 'self'): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at state, field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime (14) + stime (15)
  return ticks / CLOCK_TICKS;
}

/** USER_HZ; 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;
