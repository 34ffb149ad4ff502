import type { ProblemCode } from '@pagewire/shared';
import { ERROR_KINDS, hasErrorKind } from '../error-kinds';

/**
 * A job that cannot succeed by trying again (a space that does not exist, a
 * title another page holds, a document Confluence would refuse). The worker
 * fails it at once, with this code and message, instead of retrying.
 */
export class PermanentPublishError extends Error {
  override readonly name = 'PermanentPublishError';
  readonly [ERROR_KINDS] = ['publish', 'publish-permanent'] as const;
  constructor(
    readonly code: ProblemCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The worker lost its lease (it stalled past the lease and another worker took
 * the page). It must stop before its next write; the other worker redoes the
 * job from a fresh read.
 */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  readonly [ERROR_KINDS] = ['publish', 'lease-lost'] as const;
  constructor() {
    super('the lease on this work item was lost; another worker has it');
  }
}

export function isPermanentPublishError(error: unknown): error is PermanentPublishError {
  return hasErrorKind(error, 'publish-permanent');
}

export function isLeaseLostError(error: unknown): error is LeaseLostError {
  return hasErrorKind(error, 'lease-lost');
}

/**
 * The job waits for something on its way: its parent page, queued in the
 * same run, or Confluence's long task archiving the page. The worker tries
 * again later, as it does after a rate limit, instead of failing the job.
 */
export class DependencyPendingError extends Error {
  override readonly name = 'DependencyPendingError';
  readonly [ERROR_KINDS] = ['publish', 'dependency-pending'] as const;
  constructor(
    message: string,
    /** What the job's `error.code` shows while it waits: `parent_pending`, `archive_pending`. */
    readonly code: string = 'parent_pending',
  ) {
    super(message);
  }
}

export function isDependencyPendingError(error: unknown): error is DependencyPendingError {
  return hasErrorKind(error, 'dependency-pending');
}
