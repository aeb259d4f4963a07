import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createServer } from 'node:net';

/** A free TCP port on `host`, chosen by the OS (port 0), for a program that cannot take port 0 itself. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Hard cap on every process the suite starts, so nothing outlives a crashed run for long. */
const MAX_LIFETIME_SECONDS = 1800;

/**
 * Starts `command` in a process group of its own (so the group can be killed with everything
 * it started), stdout and stderr appended to `logFile`, under coreutils `timeout` as a last
 * resort. Returns the group id (the pid of the leader).
 */
export function startDetached(command: string, args: readonly string[], logFile: string, env: NodeJS.ProcessEnv = process.env): number {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn('timeout', ['--kill-after=10', String(MAX_LIFETIME_SECONDS), command, ...args], {
      detached: true,
      stdio: ['ignore', fd, fd],
      env,
    });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sends `signal` to the whole process group `pgid`; a group already gone is fine. */
export function killGroup(pgid: number, signal: NodeJS.Signals = 'SIGTERM'): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Stops process groups: TERM, then KILL whatever is left after `graceMs`. */
export async function stopGroups(pgids: readonly number[], graceMs = 5000): Promise<void> {
  for (const pgid of pgids) if (isAlive(pgid)) killGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && pgids.some(isAlive)) await sleep(100);
  // Only groups whose leader (`timeout`, which outlives its child) still runs: a pid that is
  // gone may already belong to someone else.
  for (const pgid of pgids) if (isAlive(pgid)) killGroup(pgid, 'SIGKILL');
}

/** Polls `check` until it returns a value other than undefined, or fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last === undefined ? '' : `: ${last instanceof Error ? last.message : JSON.stringify(last)}`}`);
    await sleep(intervalMs);
  }
}
