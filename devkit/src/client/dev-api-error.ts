import type { Problem } from '@pagewire/shared';

/**
 * A Dev API call that did not succeed. Like confluence.js errors, it carries
 * its kinds under a `Symbol.for` key, so `isDevApiError` works even when two
 * copies of this package are loaded.
 */
const KINDS = Symbol.for('pagewire.devkit.errorKinds');

export class DevApiError extends Error {
  readonly [KINDS] = ['DevApiError'] as const;
  override readonly name = 'DevApiError';

  constructor(
    readonly status: number,
    /** The emulator's problem details, when it sent any. */
    readonly problem: Problem | undefined,
    readonly endpoint: string,
  ) {
    super(`${endpoint} answered ${status}: ${problem?.detail ?? 'no details'}`);
  }
}

export function isDevApiError(error: unknown): error is DevApiError {
  return (
    typeof error === 'object' &&
    error !== null &&
    Array.isArray((error as { [KINDS]?: unknown })[KINDS]) &&
    (error as { [KINDS]: string[] })[KINDS].includes('DevApiError')
  );
}
