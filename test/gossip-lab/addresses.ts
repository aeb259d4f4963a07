import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A /24 inside 127.0.0.0/8, reserved for one run of the lab. Every address in 127/8 reaches
 * the loopback interface on Linux, so each simulated pod gets its own IP and the default Serf
 * ports (7946 gossip, 7373 RPC) never clash between pods. The block is chosen at random and
 * claimed with an exclusively created lock file in the OS temp dir, so two runs on one machine
 * (two checkouts, or CI next to a developer) never share an address. A run killed with SIGKILL
 * leaves its lock behind; that block then just stays out of the draw (there are ~61,000).
 */
export interface AddressBlock {
  /** The nth host address of the block, 2 ≤ n ≤ 254. */
  address(n: number): string;
  readonly prefix: string;
  release(): void;
}

const LOCK_PREFIX = 'gossip-lab-';

export function reserveAddressBlock(attempts = 50): AddressBlock {
  for (let i = 0; i < attempts; i++) {
    // 127.0.x.x is left alone: 127.0.0.1 and its neighbours are where people run things by hand.
    const block = claim(`127.${16 + Math.floor(Math.random() * 239)}.${Math.floor(Math.random() * 256)}`);
    if (block !== undefined) return block;
  }
  throw new Error(`gossip lab: no free loopback block after ${attempts} tries; remove stale ${LOCK_PREFIX}*.lock files in ${tmpdir()}`);
}

/**
 * The one block a lab was allocated (the Consul lab 127.79.85, the memberlist lab 127.79.86),
 * claimed with the same lock file; fails clearly when another run holds it.
 */
export function reserveFixedBlock(prefix: string, lab: string): AddressBlock {
  const block = claim(prefix);
  if (block === undefined) {
    throw new Error(
      `${lab}: ${prefix}.0/24 is held by another run (${join(tmpdir(), `${LOCK_PREFIX}${prefix}.lock`)}); ` +
        'wait for it, or remove the lock if no run is left',
    );
  }
  return block;
}

/** Removes a lock whose run (the pid in it) is gone, e.g. killed before its teardown; true if removed. */
function staleLock(lock: string): boolean {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(lock, 'utf8'), 10);
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') return false;
  }
  rmSync(lock, { force: true });
  return true;
}

function claim(prefix: string): AddressBlock | undefined {
  {
    const lock = join(tmpdir(), `${LOCK_PREFIX}${prefix}.lock`);
    let fd: number;
    try {
      fd = openSync(lock, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return staleLock(lock) ? claim(prefix) : undefined;
      throw err;
    }
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    let released = false;
    return {
      prefix,
      address(n: number): string {
        if (!Number.isInteger(n) || n < 2 || n > 254) throw new Error(`gossip lab: host ${n} is outside ${prefix}.2-254`);
        return `${prefix}.${n}`;
      },
      release(): void {
        if (released) return;
        released = true;
        rmSync(lock, { force: true });
      },
    };
  }
}
