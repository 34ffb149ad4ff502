import type { Kysely } from 'kysely';
import type { Tables } from '../../store/schema';
import { createTimeOrderedIdGenerator } from '../../store/time-ordered-id';
import { createEnqueueOperations } from './queue-enqueue';
import { createQueueInspection } from './queue-inspection';
import { createLeaseOperations } from './queue-leases';
import { createOutcomeOperations } from './queue-outcomes';

export { EPHEMERAL_TARGET_PREFIX, toJobView, toStoredJob } from './queue-rows';

import type { QueueRepository } from './queue-types';

export type * from './queue-types';

/**
 * The publishing queue on the backend's database: one work item per target
 * (page or macro instance) serialises and coalesces its jobs. Its parts are
 * split by what they do: accepting jobs (queue-enqueue.ts), taking and
 * holding work (queue-leases.ts), finishing it (queue-outcomes.ts) and
 * reading about it (queue-inspection.ts).
 */
export function createQueueRepository(
  db: Kysely<Tables>,
  dialect: 'sqlite' | 'postgres',
  nextId: () => string = createTimeOrderedIdGenerator(),
): QueueRepository {
  return {
    ...createEnqueueOperations(db, nextId),
    ...createLeaseOperations(db, dialect),
    ...createOutcomeOperations(db),
    ...createQueueInspection(db),
  };
}
