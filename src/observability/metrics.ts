import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The Prometheus metrics gossip-safe exports on /metrics. One instance per server. */
export class WebhookMetrics {
  readonly registry = new Registry();

  readonly admissions = new Counter({
    name: 'gossip_safe_admissions_total',
    help: 'Admission reviews answered, by webhook, operation and outcome (allowed, patched, warned, denied, error).',
    labelNames: ['webhook', 'operation', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly latency = new Histogram({
    name: 'gossip_safe_admission_duration_seconds',
    help: 'Time from a parsed review to its response being handed to the socket, by webhook.',
    labelNames: ['webhook'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly injections = new Counter({
    name: 'gossip_safe_injections_total',
    help: 'Pods (or templates) into which something was injected, by profile.',
    labelNames: ['profile'] as const,
    registers: [this.registry],
  });

  readonly ruleDecisions = new Counter({
    name: 'gossip_safe_rule_decisions_total',
    help: 'Admission responses in which a validation rule fired, by webhook, rule id and the response decision (denied, warned, allowed).',
    labelNames: ['webhook', 'rule', 'decision'] as const,
    registers: [this.registry],
  });

  readonly badRequests = new Counter({
    name: 'gossip_safe_bad_requests_total',
    help: 'Requests answered with a 4xx before reaching a webhook, by HTTP status.',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'gossip_safe_' });
  }
}
