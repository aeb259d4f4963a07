import { connect as tcpConnect } from 'node:net';
import driver from 'cassandra-driver';

export const KEYSPACE = 'lab';

/**
 * Waits until every node accepts connections on the CQL port. A node shows UN in gossip a few
 * seconds before it starts listening for CQL clients, so a client connecting right after the
 * ring is UN can find every contact point refused. Bounded; throws naming the nodes still closed.
 */
export async function waitForCql(ips: readonly string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const open = (ip: string): Promise<boolean> =>
    new Promise((resolve) => {
      const socket = tcpConnect({ host: ip, port: 9042, timeout: 2_000 });
      const done = (ok: boolean): void => {
        socket.destroy();
        resolve(ok);
      };
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
      socket.once('timeout', () => done(false));
    });
  let closed = [...ips];
  while (closed.length > 0) {
    const states = await Promise.all(closed.map(open));
    closed = closed.filter((_, i) => !states[i]);
    if (closed.length === 0) return;
    if (Date.now() >= deadline) throw new Error(`cassandra lab: CQL port 9042 still closed on ${closed.join(', ')} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

/** A CQL session (the `cassandra-driver` package) at QUORUM against the ring's current IPs. */
export function connect(contactPoints: readonly string[]): driver.Client {
  return new driver.Client({
    contactPoints: [...contactPoints],
    localDataCenter: 'datacenter1',
    protocolOptions: { port: 9042 },
    queryOptions: { consistency: driver.types.consistencies.quorum, prepare: true, isIdempotent: true },
    socketOptions: { connectTimeout: 5_000, readTimeout: 12_000 },
    policies: { reconnection: new driver.policies.reconnection.ConstantReconnectionPolicy(1_000) },
    pooling: { heartBeatInterval: 5_000 },
  });
}

export async function createSchema(client: driver.Client): Promise<void> {
  await client.execute(`CREATE KEYSPACE IF NOT EXISTS ${KEYSPACE} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}`);
  await client.execute(`CREATE TABLE IF NOT EXISTS ${KEYSPACE}.rows (id text PRIMARY KEY, value text)`);
}

export async function writeRow(client: driver.Client, id: string, value: string): Promise<void> {
  await client.execute(`INSERT INTO ${KEYSPACE}.rows (id, value) VALUES (?, ?)`, [id, value]);
}

export async function readRow(client: driver.Client, id: string): Promise<string | undefined> {
  const rs = await client.execute(`SELECT value FROM ${KEYSPACE}.rows WHERE id = ?`, [id]);
  const v: unknown = rs.first()?.get('value');
  return typeof v === 'string' ? v : undefined;
}

export interface LoadResult {
  readonly operations: number;
  readonly failed: number;
  /** Rows whose write was acknowledged at QUORUM. */
  readonly written: readonly string[];
  /** The first few errors, for the report. */
  readonly errors: readonly string[];
}

/**
 * A bounded QUORUM load: one write and one read of the row just written, in a loop, with a
 * pause between pairs, until `stop()` is called or `maxOperations` is reached. Every failed
 * operation is counted; a read that does not return the acknowledged value counts as failed.
 */
export class QuorumLoad {
  private operations = 0;
  private failed = 0;
  private readonly written: string[] = [];
  private readonly errors: string[] = [];
  private stopped = false;
  private readonly done: Promise<void>;

  constructor(
    private readonly client: driver.Client,
    private readonly prefix: string,
    private readonly options: { readonly pauseMs: number; readonly maxOperations: number },
  ) {
    this.done = this.loop();
  }

  private async loop(): Promise<void> {
    let i = 0;
    while (!this.stopped && this.operations < this.options.maxOperations) {
      const id = `${this.prefix}-${i++}`;
      const value = `v${i}`;
      const ok = await this.op(() => writeRow(this.client, id, value));
      if (ok) this.written.push(id);
      if (ok) await this.op(async () => {
        const got = await readRow(this.client, id);
        if (got !== value) throw new Error(`read ${id} returned ${String(got)}, expected ${value}`);
      });
      await new Promise((r) => setTimeout(r, this.options.pauseMs));
    }
  }

  private async op(f: () => Promise<void>): Promise<boolean> {
    this.operations += 1;
    try {
      await f();
      return true;
    } catch (err) {
      this.failed += 1;
      if (this.errors.length < 5) this.errors.push((err as Error).message.slice(0, 200));
      return false;
    }
  }

  async stop(): Promise<LoadResult> {
    this.stopped = true;
    await this.done;
    return { operations: this.operations, failed: this.failed, written: [...this.written], errors: [...this.errors] };
  }
}
