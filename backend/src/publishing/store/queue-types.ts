import type { JobState, JobView, JobWarning, PublishPlan } from '@pagewire/shared';

export type JobKind = 'page' | 'snapshot';
/** What a published job did to its page (the job view's `written`). */
export type Written = NonNullable<JobView['written']>;
export type TerminalOutcomeState = Exclude<JobState, 'queued' | 'running'>;

export interface JobError {
  code: string;
  detail: string;
}

export interface HumanEdit {
  by: string;
  at: string;
  version: number;
}

export interface StoredJob {
  id: string;
  installationId: string;
  spaceKey: string;
  source: string;
  kind: JobKind;
  targetKey: string;
  seq: number;
  externalId: string | null;
  dryRun: boolean;
  request: unknown;
  state: JobState;
  attempts: number;
  claimedBy: string | null;
  pageId: string | null;
  version: number | null;
  error: JobError | null;
  plan: PublishPlan | null;
  humanEdit: HumanEdit | null;
  warnings: JobWarning[];
  supersededBy: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  written: Written | null;
}

export interface EnqueueInput {
  installationId: string;
  spaceKey: string;
  source: string;
  kind: JobKind;
  /** Jobs with the same target are serialised and coalesced. */
  targetKey: string;
  externalId: string | null;
  dryRun: boolean;
  request: unknown;
  now: Date;
}

/** A work item a worker holds: the newest job of its target at the time it was taken. */
export interface Lease {
  workId: string;
  owner: string;
  installationId: string;
  spaceKey: string;
  targetKey: string;
  kind: JobKind;
  seq: number;
  job: StoredJob;
  /** Failed attempts in a row before this one. */
  attempts: number;
  lastError: string | null;
  /** The intent a previous holder recorded and did not clear: it may have written. */
  intent: unknown;
}

export interface Outcome {
  state: TerminalOutcomeState;
  pageId?: string | undefined;
  version?: number | undefined;
  error?: JobError | undefined;
  plan?: PublishPlan | undefined;
  humanEdit?: HumanEdit | undefined;
  warnings?: JobWarning[] | undefined;
  /** Set when the job wrote to its page. */
  written?: Written | undefined;
}

export interface DeadLetter {
  workId: string;
  installationId: string;
  spaceKey: string;
  targetKey: string;
  latestJobId: string;
  reason: string;
  updatedAt: string;
}

export interface QueueRepository {
  enqueue(input: EnqueueInput): Promise<StoredJob>;
  /** Several jobs in one transaction (one commit): a block change's refreshes of every macro showing it. */
  enqueueMany(inputs: readonly EnqueueInput[]): Promise<StoredJob[]>;
  findJob(installationId: string, jobId: string): Promise<StoredJob | null>;
  /** Takes the next work item that is due (or whose holder's lease ran out), or null. */
  claim(owner: string, now: Date, leaseMs: number): Promise<Lease | null>;
  /** Extends a lease; false when it was lost (another worker took the item). */
  heartbeat(lease: Lease, now: Date, leaseMs: number): Promise<boolean>;
  /** Records (or clears, with null) what the holder is about to do; false when the lease was lost. */
  recordIntent(lease: Lease, intent: unknown): Promise<boolean>;
  /** Finishes the leased job and every older one still waiting; resolves to how many older ones it carried. */
  complete(lease: Lease, outcome: Outcome, now: Date): Promise<{ superseded: number }>;
  /** Puts the item back for a later attempt; the jobs stay `queued` and show the error meanwhile. */
  retryLater(lease: Lease, error: JobError, availableAt: Date, now: Date): Promise<void>;
  /** Gives up on the item: its jobs fail with the reason, and the item stays as a dead letter. */
  deadLetter(lease: Lease, error: JobError, now: Date): Promise<void>;
  /** Makes leases held by owners that are gone claimable at once (SQLite: processes on this host that exited). */
  releaseLeases(owners: readonly string[], now: Date): Promise<number>;
  leaseOwners(): Promise<string[]>;
  listDeadLetters(installationId: string, spaceKey: string): Promise<DeadLetter[]>;
  /** Deletes jobs that finished before `before`; resolves to how many. */
  pruneFinishedJobs(before: Date): Promise<number>;
  countJobsByState(): Promise<Partial<Record<JobState, number>>>;
  countWorkByState(): Promise<Record<string, number>>;
  /** When the longest-waiting due item became due, or null when nothing waits. */
  oldestDueAt(now: Date): Promise<string | null>;
}
