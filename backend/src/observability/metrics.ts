import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The backend's Prometheus metrics, in a registry of its own (not prom-client's
 * global one), so several backends in one test process never collide.
 */
export interface Metrics {
  readonly registry: Registry;
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;
  readonly fitRejections: Counter<'reason'>;
  readonly ingestWrites: Counter<'result'>;
  readonly appTokensReceived: Counter<'outcome'>;
  readonly apiTokenChecks: Counter<'status'>;
  readonly apiTokenExpiryWarnings: Counter<'level'>;
  /** Work started beside a response that failed (use-cases/deferred-work.ts), by what it was. */
  readonly deferredWorkFailures: Counter<'work'>;
  /** Registers a queue whose depth `/metrics` reports as `pagewire_queue_depth{queue=<name>}`. */
  registerQueue(name: string, depth: () => Promise<number> | number): void;
  /** Registers the source of `pagewire_api_tokens_expiring{level}`. */
  registerExpiringTokens(count: () => Promise<Record<string, number>>): void;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  const queues = new Map<string, () => Promise<number> | number>();
  let expiringTokens: (() => Promise<Record<string, number>>) | null = null;

  new Gauge({
    name: 'pagewire_queue_depth',
    help: 'Work items waiting, per queue',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      for (const [name, depth] of queues) {
        try {
          this.set({ queue: name }, await depth());
        } catch {
          // A database hiccup must not break the whole scrape; the gauge keeps its last value.
        }
      }
    },
  });

  new Gauge({
    name: 'pagewire_api_tokens_expiring',
    help: 'Scoped API tokens within a warning window of their admin-entered expiry, by level',
    labelNames: ['level'],
    registers: [registry],
    async collect() {
      if (expiringTokens === null) return;
      try {
        const counts = await expiringTokens();
        this.reset();
        for (const [level, count] of Object.entries(counts)) this.set({ level }, count);
      } catch {
        // As above: keep the last value rather than fail the scrape.
      }
    },
  });

  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'pagewire_http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    fitRejections: new Counter({
      name: 'pagewire_fit_rejections_total',
      help: 'Forge invocation tokens refused, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    ingestWrites: new Counter({
      name: 'pagewire_ingest_writes_total',
      help: 'Block writes through the ingest API, by result',
      labelNames: ['result'],
      registers: [registry],
    }),
    appTokensReceived: new Counter({
      name: 'pagewire_app_tokens_received_total',
      help: 'App system tokens received with Forge invocations, by what happened to them',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    apiTokenChecks: new Counter({
      name: 'pagewire_api_token_checks_total',
      help: 'Scoped API token health checks, by resulting status',
      labelNames: ['status'],
      registers: [registry],
    }),
    apiTokenExpiryWarnings: new Counter({
      name: 'pagewire_api_token_expiry_warnings_total',
      help: 'Expiry warnings announced for scoped API tokens, by level',
      labelNames: ['level'],
      registers: [registry],
    }),
    deferredWorkFailures: new Counter({
      name: 'pagewire_deferred_work_failures_total',
      help: 'Work started beside a response (the snapshot of a new placement) that failed, by work',
      labelNames: ['work'],
      registers: [registry],
    }),
    registerQueue(name, depth) {
      queues.set(name, depth);
    },
    registerExpiringTokens(count) {
      expiringTokens = count;
    },
  };
}
