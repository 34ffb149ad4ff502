import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { PublishingConfig } from '../config/publishing-config';
import type { PublishingWorker } from './publishing-worker';
import type { QueueRepository } from './store/queue-repository';

export interface PublishingMaintenanceDeps {
  queue: Pick<QueueRepository, 'leaseOwners' | 'releaseLeases' | 'pruneFinishedJobs'>;
  worker: PublishingWorker;
  dialect: 'sqlite' | 'postgres';
  /** This process's lease owner (`host:pid:random`). */
  owner: string;
  reconcileSnapshots: () => Promise<number>;
  flushPageIndex: () => Promise<void>;
  config: Pick<PublishingConfig, 'reconcileMs' | 'indexFlushMs' | 'jobRetentionMs'>;
  logger: Logger;
  now: () => Date;
}

/**
 * The engine's life: at start it takes back leases of processes that died on
 * this host, catches up on missed snapshot refreshes, starts the worker and
 * its timers (reconcile and prune, homepage index flush); at stop it ends
 * them, drains the worker and writes the last index entries.
 */
export interface PublishingMaintenance {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createPublishingMaintenance(deps: PublishingMaintenanceDeps): PublishingMaintenance {
  const { queue, logger, config, now } = deps;
  let reconcileTimer: NodeJS.Timeout | null = null;
  let indexTimer: NodeJS.Timeout | null = null;

  const reconcile = () =>
    deps.reconcileSnapshots().catch((error: unknown) => {
      logger.error({ err: error }, 'looking for missed snapshot refreshes failed');
    });

  async function releaseDeadLocalLeases(): Promise<void> {
    // SQLite lives in one file on this host: a lease whose owner process is
    // gone here can be taken back at once instead of after the lease runs out.
    const dead = (await queue.leaseOwners()).filter((leaseOwner) =>
      isDeadLocalProcess(leaseOwner, deps.owner),
    );
    const released = await queue.releaseLeases(dead, now());
    if (released > 0) logger.info({ released }, 'took back publishing work from processes that stopped');
  }

  function tick(): void {
    void reconcile();
    // Finished jobs are kept for a while so sources can read their outcome, then dropped.
    const before = new Date(now().getTime() - config.jobRetentionMs);
    queue.pruneFinishedJobs(before).catch((error: unknown) => {
      logger.error({ err: error }, 'pruning finished publishing jobs failed');
    });
  }

  return {
    async start() {
      if (deps.dialect === 'sqlite') await releaseDeadLocalLeases();
      // A failure here must not keep the backend down: the timer tries again.
      await reconcile();
      deps.worker.start();
      reconcileTimer = setInterval(tick, config.reconcileMs);
      reconcileTimer.unref();
      indexTimer = setInterval(() => void deps.flushPageIndex(), config.indexFlushMs);
      indexTimer.unref();
    },

    async stop() {
      if (reconcileTimer !== null) clearInterval(reconcileTimer);
      reconcileTimer = null;
      if (indexTimer !== null) clearInterval(indexTimer);
      indexTimer = null;
      await deps.worker.stop();
      // What the last jobs created goes into the index before the process ends.
      await deps.flushPageIndex();
    },
  };
}

function isDeadLocalProcess(leaseOwner: string, self: string): boolean {
  if (leaseOwner === self) return false;
  const [host, pidText] = leaseOwner.split(':');
  if (host !== hostname() || pidText === undefined) return false;
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: alive but someone else's. Only ESRCH means there is no such process.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
