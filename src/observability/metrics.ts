import cluster from 'node:cluster';
import { AggregatorRegistry, Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** IPC messages between a `serve --workers N` worker and the primary for /metrics. */
export const METRICS_REQUEST = 'gossip-safe:metrics-request';
export const METRICS_RESPONSE = 'gossip-safe:metrics-response';
interface MetricsRequest {
  readonly type: typeof METRICS_REQUEST;
  readonly id: number;
}
interface MetricsResponse {
  readonly type: typeof METRICS_RESPONSE;
  readonly id: number;
  readonly text?: string;
  readonly error?: string;
}

/**
 * A worker's registry under `serve --workers N`. The metrics are recorded locally as usual, but
 * `/metrics`, whichever worker answers it, shows the whole pod: the worker asks the primary,
 * which collects every worker's values (prom-client's AggregatorRegistry) and adds them up.
 */
class ClusterWorkerRegistry extends Registry {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void }>();

  constructor() {
    super();
    // Answers the primary's collection requests with this registry's own values.
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([this]);
    process.on('message', (message: unknown) => {
      const m = message as Partial<MetricsResponse>;
      if (m.type !== METRICS_RESPONSE || typeof m.id !== 'number') return;
      const waiting = this.pending.get(m.id);
      if (waiting === undefined) return;
      this.pending.delete(m.id);
      if (typeof m.text === 'string') waiting.resolve(m.text);
      else waiting.reject(new Error(`metrics from the primary: ${m.error ?? 'no answer'}`));
    });
  }

  override metrics(): Promise<string> {
    const send = process.send?.bind(process);
    if (send === undefined) return super.metrics();
    const id = this.nextId++;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error('metrics from the primary: timed out'));
      }, 5_000);
      this.pending.set(id, {
        resolve: (text) => {
          clearTimeout(timer);
          resolve(text);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
      const request: MetricsRequest = { type: METRICS_REQUEST, id };
      send(request);
    });
  }
}

/**
 * In the primary of `serve --workers N`: answers workers' /metrics requests with the sum over
 * every live worker (counters and histograms added up; process metrics by prom-client's own
 * aggregation: CPU and memory summed, start time the earliest).
 */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: unknown) => {
    const m = message as Partial<MetricsRequest>;
    if (m.type !== METRICS_REQUEST || typeof m.id !== 'number') return;
    const id = m.id;
    const reply = (r: Omit<MetricsResponse, 'type' | 'id'>): void => {
      if (worker.isConnected()) worker.send({ type: METRICS_RESPONSE, id, ...r } satisfies MetricsResponse);
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ text }),
      (err: unknown) => reply({ error: err instanceof Error ? err.message : String(err) }),
    );
  });
}

/**
 * The Prometheus metrics gossip-safe exports on /metrics. One instance per server (per worker
 * under `serve --workers N`, where /metrics shows the sum over the workers).
 */
export class WebhookMetrics {
  readonly registry: Registry;
  readonly admissions: Counter<'webhook' | 'operation' | 'outcome'>;
  readonly latency: Histogram<'webhook'>;
  readonly injections: Counter<'profile'>;
  readonly ruleDecisions: Counter<'webhook' | 'rule' | 'decision'>;
  readonly badRequests: Counter<'status'>;
  readonly certificateReloadErrors: Counter;

  constructor(options: { processMetrics?: boolean; clusterWorker?: boolean } = {}) {
    const registry = options.clusterWorker === true ? new ClusterWorkerRegistry() : new Registry();
    this.registry = registry;
    this.admissions = new Counter({
      name: 'gossip_safe_admissions_total',
      help: 'Admission reviews answered, by webhook, operation and outcome (allowed, patched, warned, denied, error).',
      labelNames: ['webhook', 'operation', 'outcome'] as const,
      registers: [registry],
    });
    this.latency = new Histogram({
      name: 'gossip_safe_admission_duration_seconds',
      help: 'Time from a parsed review to its response being handed to the socket, by webhook.',
      labelNames: ['webhook'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    this.injections = new Counter({
      name: 'gossip_safe_injections_total',
      help: 'Pods (or templates) into which something was injected, by profile.',
      labelNames: ['profile'] as const,
      registers: [registry],
    });
    this.ruleDecisions = new Counter({
      name: 'gossip_safe_rule_decisions_total',
      help: 'Admission responses in which a validation rule fired, by webhook, rule id and the response decision (denied, warned, allowed).',
      labelNames: ['webhook', 'rule', 'decision'] as const,
      registers: [registry],
    });
    this.badRequests = new Counter({
      name: 'gossip_safe_bad_requests_total',
      help: 'Requests answered with a 4xx before reaching a webhook, by HTTP status.',
      labelNames: ['status'] as const,
      registers: [registry],
    });
    this.certificateReloadErrors = new Counter({
      name: 'gossip_safe_certificate_reload_errors_total',
      help: 'Certificate file reloads refused (no PEM block, key not matching, unreadable); the previous pair stays in use.',
      registers: [registry],
    });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'gossip_safe_' });
  }
}
