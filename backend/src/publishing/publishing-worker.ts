import type { Logger } from 'pino';
import { isConfluenceError, isRateLimitError, isRetryableLater } from '../confluence/errors';
import type { PublishResult } from './page-publisher';
import {
  isDependencyPendingError,
  isLeaseLostError,
  isPermanentPublishError,
  LeaseLostError,
} from './publish-errors';
import type { JobError, Lease, QueueRepository } from './store/queue-repository';

export interface WorkerOptions {
  /** Unique per process: `host:pid:random`. Leases carry it. */
  owner: string;
  /** Work items processed at once by this process (each is a different page). */
  concurrency: number;
  /** How long a lease lasts without a heartbeat; a crashed worker's items come back after this. */
  leaseMs: number;
  heartbeatMs: number;
  /** How often an idle loop looks for work when nothing wakes it. */
  pollMs: number;
  /** Failed attempts in a row before an item becomes a dead letter. */
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export type ProcessJob = (
  lease: Lease,
  context: { signal: AbortSignal; recordIntent(intent: unknown): Promise<void> },
) => Promise<PublishResult>;

export interface WorkerEvents {
  /** A job (and the older ones it superseded) reached a final state. */
  onFinished?(lease: Lease, result: PublishResult, superseded: number): Promise<void> | void;
  /** An attempt failed and will be retried at `retryAt`. */
  onRetry?(lease: Lease, error: JobError, retryAt: Date): void;
}

export interface PublishingWorker {
  start(): void;
  /** Stops taking work and waits for the jobs in hand to finish. */
  stop(): Promise<void>;
  /** Something was queued: look now instead of at the next poll. */
  wake(): void;
}

/**
 * The queue's consumer. Each loop claims one work item at a time (a page or
 * one macro's snapshot), keeps its lease alive while it works, and ends it
 * one of three ways: complete (with the job's outcome), retry later (only
 * for errors a later attempt can fix: rate limits, outages, ambiguous
 * writes, a missing app token), or dead letter (everything else, or too many
 * attempts). Concurrency is small on purpose: the Confluence client paces
 * each credential, and a burst of queued work must not turn into a burst of
 * requests (Forge's guidance is at most 5–10 concurrent calls).
 */
export function createPublishingWorker(deps: WorkerDependencies): PublishingWorker {
  const { queue, options, logger } = deps;
  const sleeper = createWakeableSleep();
  let running = false;
  let loops: Promise<void>[] = [];

  async function loop(): Promise<void> {
    while (running) {
      let lease: Lease | null = null;
      try {
        lease = await queue.claim(options.owner, deps.now(), options.leaseMs);
      } catch (error) {
        logger.error({ err: error }, 'could not claim publishing work');
      }
      if (lease === null) {
        await sleeper.sleep(options.pollMs);
        continue;
      }
      try {
        await handle(deps, lease);
      } catch (error) {
        // The bookkeeping itself failed (database down): the lease runs out and
        // the item is taken again, which the recorded intent makes safe.
        logger.error({ err: error, target: lease.targetKey }, 'publishing bookkeeping failed');
      }
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loops = Array.from({ length: options.concurrency }, () => loop());
    },
    async stop() {
      running = false;
      sleeper.wakeAll();
      await Promise.all(loops);
      loops = [];
    },
    wake() {
      sleeper.wake();
    },
  };
}

interface WorkerDependencies {
  queue: QueueRepository;
  process: ProcessJob;
  options: WorkerOptions;
  now: () => Date;
  logger: Logger;
  random?: () => number;
  events?: WorkerEvents;
}

/**
 * The idle loops' sleep. A wake with nobody asleep is kept for the next
 * sleep, so work queued between a claim and the sleep is not missed.
 */
function createWakeableSleep() {
  const sleepers = new Set<() => void>();
  let wakeRequested = false;
  return {
    sleep(ms: number): Promise<void> {
      if (wakeRequested) {
        wakeRequested = false;
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          sleepers.delete(done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        sleepers.add(done);
      });
    },
    wakeAll(): void {
      for (const wake of [...sleepers]) wake();
    },
    wake(): void {
      if (sleepers.size === 0) wakeRequested = true;
      for (const wakeOne of [...sleepers]) wakeOne();
    },
  };
}

function retryDelay(deps: WorkerDependencies, attempts: number, error: unknown): number {
  const { options } = deps;
  const exponential = Math.min(options.retryMaxMs, options.retryBaseMs * 2 ** attempts);
  const jittered = exponential * (0.7 + (deps.random ?? Math.random)() * 0.6);
  // Confluence said when to come back: never earlier than that.
  const hinted = isRateLimitError(error) && error.retryAfterMs !== null ? error.retryAfterMs : 0;
  return Math.max(jittered, hinted);
}

/** Keeps the lease alive while the job runs; a lost lease aborts the job. */
function keepLeaseAlive(deps: WorkerDependencies, lease: Lease, controller: AbortController): NodeJS.Timeout {
  let heartbeatFailed = false;
  return setInterval(() => {
    deps.queue.heartbeat(lease, deps.now(), deps.options.leaseMs).then(
      (held) => {
        if (!held) controller.abort(new LeaseLostError());
      },
      (error: unknown) => {
        // A database hiccup: keep working; the next beat (or the lease) decides.
        if (!heartbeatFailed)
          deps.logger.warn({ err: error, target: lease.targetKey }, 'publishing heartbeat failed');
        heartbeatFailed = true;
      },
    );
  }, deps.options.heartbeatMs);
}

async function handle(deps: WorkerDependencies, lease: Lease): Promise<void> {
  const { queue } = deps;
  if (lease.attempts >= deps.options.maxAttempts) {
    const error: JobError = {
      code: codeOf(lease.lastError) ?? 'confluence_unavailable',
      detail: `Gave up after ${lease.attempts} failed attempts; the last one: ${lease.lastError ?? 'unknown'}`,
    };
    await deadLetter(deps, lease, error);
    return;
  }

  const controller = new AbortController();
  const heartbeat = keepLeaseAlive(deps, lease, controller);
  try {
    const result = await deps.process(lease, {
      signal: controller.signal,
      async recordIntent(intent) {
        if (controller.signal.aborted || !(await queue.recordIntent(lease, intent)))
          throw new LeaseLostError();
      },
    });
    if (controller.signal.aborted) return;
    const { superseded } = await queue.complete(lease, result, deps.now());
    await finished(deps, lease, result, superseded);
  } catch (error) {
    if (controller.signal.aborted || isLeaseLostError(error)) {
      deps.logger.warn(
        { target: lease.targetKey, jobId: lease.job.id },
        'lost the lease on a publishing job; another worker has it',
      );
      return;
    }
    await settleFailure(deps, lease, error);
  } finally {
    clearInterval(heartbeat);
  }
}

/**
 * Ends a failed attempt: retried later only for errors a later attempt can
 * fix (rate limits, outages, ambiguous writes, a missing app token, or not a
 * Confluence answer at all), a dead letter for everything else.
 */
async function settleFailure(deps: WorkerDependencies, lease: Lease, error: unknown): Promise<void> {
  const { logger } = deps;
  if (isPermanentPublishError(error)) {
    await deadLetter(deps, lease, { code: error.code, detail: error.message });
  } else if (error instanceof RangeError) {
    // A stack overflow (or an impossible allocation) repeats with the same content: never retried.
    logger.warn({ target: lease.targetKey, jobId: lease.job.id }, 'publishing job overflowed the stack');
    await deadLetter(deps, lease, {
      code: 'content_too_complex',
      detail: 'The content nests too deeply or is too large to process.',
    });
  } else if (isRetryableLater(error) || isAmbiguousWrite(error) || isDependencyPendingError(error)) {
    await retryLater(deps, lease, toJobError(error), error);
  } else if (isConfluenceError(error)) {
    await deadLetter(deps, lease, toJobError(error));
  } else {
    // Not a Confluence answer: a bug or the database. Retried (it may be
    // passing), logged in full here, described generically to the caller.
    logger.error(
      { err: error, target: lease.targetKey, jobId: lease.job.id },
      'publishing job failed unexpectedly',
    );
    const jobError = { code: 'internal_error', detail: 'The job failed on our side; it will be retried.' };
    await retryLater(deps, lease, jobError, error);
  }
}

async function retryLater(deps: WorkerDependencies, lease: Lease, jobError: JobError, error: unknown) {
  const retryAt = new Date(deps.now().getTime() + retryDelay(deps, lease.attempts, error));
  await deps.queue.retryLater(lease, jobError, retryAt, deps.now());
  deps.events?.onRetry?.(lease, jobError, retryAt);
}

async function deadLetter(deps: WorkerDependencies, lease: Lease, error: JobError): Promise<void> {
  await deps.queue.deadLetter(lease, error, deps.now());
  await finished(deps, lease, { state: 'failed', error, detail: error.detail });
}

async function finished(
  deps: WorkerDependencies,
  lease: Lease,
  result: PublishResult,
  superseded = 0,
): Promise<void> {
  try {
    await deps.events?.onFinished?.(lease, result, superseded);
  } catch (error) {
    deps.logger.error({ err: error, jobId: lease.job.id }, 'recording a finished publishing job failed');
  }
}

function isAmbiguousWrite(error: unknown): boolean {
  // A write whose fate is unknown is retried: the next attempt re-reads the
  // page and the recorded intent tells whether it landed.
  return typeof error === 'object' && error !== null && (error as { ambiguous?: unknown }).ambiguous === true;
}

function toJobError(error: unknown): JobError {
  if (isConfluenceError(error)) return { code: error.problemCode, detail: error.message };
  if (isDependencyPendingError(error)) return { code: error.code, detail: error.message };
  return { code: 'internal_error', detail: 'The job failed on our side.' };
}

function codeOf(lastError: string | null): string | null {
  if (lastError === null) return null;
  const match = /^([a-z_]+): /.exec(lastError);
  return match ? match[1]! : null;
}
