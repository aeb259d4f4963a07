import autocannon from 'autocannon';
import { cpuSeconds, treeCpuSeconds } from './processes.js';

export interface LoadOptions {
  readonly url: string;
  readonly body: string;
  readonly connections: number;
  /** Upper bound on requests sent. */
  readonly maxRequests: number;
  /** Upper bound on time, in seconds (the run stops at whichever bound comes first). */
  readonly seconds: number;
  /** Fixed offered load in requests per second; unset for as fast as the server answers. */
  readonly rate?: number;
  /** The server's pid, to measure its CPU use (with its workers') during the run. */
  readonly serverPid: number;
}

export interface LoadResult {
  readonly requests: number;
  readonly ok: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly seconds: number;
  /** Completed 2xx responses per second. */
  readonly throughput: number;
  /** Latency percentiles in ms, exact, from every response's own timing. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** autocannon's p99 (whole ms), corrected for coordinated omission when a rate is set. */
  readonly correctedP99Ms: number;
  /** Share of one core used by the server and by this (load generator) process. */
  readonly serverCpu: number;
  readonly clientCpu: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/**
 * One autocannon run over HTTPS with keep-alive, in this process (never the server's). It ends
 * at `maxRequests` or after `seconds`, whichever comes first; a watchdog stops it regardless.
 * The server's certificate is not verified here (autocannon always connects that way); the
 * servers only listen on 127.0.0.1.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies = new Float64Array(options.maxRequests + options.connections * 2);
  let count = 0;
  const serverCpu0 = treeCpuSeconds(options.serverPid);
  const clientCpu0 = cpuSeconds('self');
  const started = process.hrtime.bigint();

  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    // The watchdog is armed once the instance exists; the callback that clears it runs later.
    const watchdog: { timer?: NodeJS.Timeout } = {};
    const instance = autocannon(
      {
        url: options.url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: options.body,
        connections: options.connections,
        duration: options.seconds,
        maxOverallRequests: options.maxRequests,
        ...(options.rate === undefined ? {} : { overallRate: options.rate }),
        timeout: 10,
      },
      (err, res) => {
        clearTimeout(watchdog.timer);
        if (err) reject(err instanceof Error ? err : new Error(String(err)));
        else resolve(res);
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300 && count < latencies.length) latencies[count++] = responseTime;
    });
    watchdog.timer = setTimeout(() => instance.stop(), (options.seconds + 5) * 1000);
  });

  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const serverCpu = (treeCpuSeconds(options.serverPid) - serverCpu0) / seconds;
  const clientCpu = (cpuSeconds('self') - clientCpu0) / seconds;
  const sorted = latencies.subarray(0, count).sort();
  return {
    requests: result.requests.sent,
    ok: result['2xx'],
    errors: result.errors,
    non2xx: result.non2xx,
    seconds: result.duration,
    throughput: result['2xx'] / result.duration,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: count === 0 ? Number.NaN : sorted[count - 1]!,
    correctedP99Ms: result.latency.p99,
    serverCpu,
    clientCpu,
  };
}
