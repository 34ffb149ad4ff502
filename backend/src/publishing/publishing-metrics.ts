import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { JobKind, QueueRepository } from './store/queue-repository';

export interface PublishingMetrics {
  jobFinished(kind: JobKind, state: string, lagSeconds: number, superseded: number): void;
  retried(kind: JobKind, code: string): void;
  deadLettered(kind: JobKind): void;
}

/**
 * Prometheus series of the engine (on the backend's own registry):
 * - `pagewire_publish_jobs_finished_total{kind,state}`: final outcomes, counted per request (coalesced ones too);
 * - `pagewire_publish_job_lag_seconds{kind}`: accepted → finished, for the job that was written;
 * - `pagewire_publish_retries_total{kind,code}` and `pagewire_publish_dead_letters_total{kind}`;
 * - `pagewire_publish_jobs{state}` and `pagewire_publish_queue_items{state}`: read from the database at
 *   scrape time, so every replica reports the shared queue, not its own share;
 * - `pagewire_publish_queue_lag_seconds`: how long the longest-waiting due item has waited.
 */
export function createPublishingMetrics(
  registry: Registry,
  queue: QueueRepository,
  now: () => Date,
): PublishingMetrics {
  const finished = new Counter({
    name: 'pagewire_publish_jobs_finished_total',
    help: 'Publishing jobs that reached a final state, by kind and state.',
    labelNames: ['kind', 'state'] as const,
    registers: [registry],
  });
  const lag = new Histogram({
    name: 'pagewire_publish_job_lag_seconds',
    help: 'Time from accepting a publishing job to its final state.',
    labelNames: ['kind'] as const,
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
    registers: [registry],
  });
  const retries = new Counter({
    name: 'pagewire_publish_retries_total',
    help: 'Publishing attempts that failed with an error worth retrying, by kind and error code.',
    labelNames: ['kind', 'code'] as const,
    registers: [registry],
  });
  const deadLetters = new Counter({
    name: 'pagewire_publish_dead_letters_total',
    help: 'Work items given up on (their jobs failed), by kind.',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'pagewire_publish_jobs',
    help: 'Publishing jobs in the database, by state.',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const [state, count] of Object.entries(await queue.countJobsByState()))
        this.set({ state }, count ?? 0);
    },
  });
  new Gauge({
    name: 'pagewire_publish_queue_items',
    help: 'Work items (one per page or macro snapshot) in the queue, by state: ready, leased, idle, dead.',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const [state, count] of Object.entries(await queue.countWorkByState())) this.set({ state }, count);
    },
  });
  new Gauge({
    name: 'pagewire_publish_queue_lag_seconds',
    help: 'How long the longest-waiting due work item has been waiting (0 when none waits).',
    registers: [registry],
    async collect() {
      const at = now();
      const oldest = await queue.oldestDueAt(at);
      this.set(oldest === null ? 0 : Math.max(0, (at.getTime() - Date.parse(oldest)) / 1000));
    },
  });

  return {
    jobFinished(kind, state, lagSeconds, superseded) {
      finished.inc({ kind, state }, 1 + superseded);
      lag.observe({ kind }, lagSeconds);
    },
    retried(kind, code) {
      retries.inc({ kind, code });
    },
    deadLettered(kind) {
      deadLetters.inc({ kind });
    },
  };
}
