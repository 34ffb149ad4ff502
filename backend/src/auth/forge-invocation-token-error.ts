import { ERROR_KINDS } from '../error-kinds';

export const fitRejectionReasons = [
  'missing',
  'malformed',
  'too_large',
  'algorithm',
  'header',
  'kid_missing',
  'unknown_kid',
  'signature',
  'expired',
  'not_yet_valid',
  'issuer',
  'audience',
  'claims',
  'environment',
  'api_base_url',
  'replayed',
] as const;
export type FitRejectionReason = (typeof fitRejectionReasons)[number];

/**
 * A token fault (401) or, with reason `jwks_unavailable`, an infrastructure
 * fault (503). The message names the failed rule for the log and the
 * `fit_rejections_total{reason}` metric only: the caller is told just that the
 * token was refused, so a forger learns nothing about which rule held.
 */
export class FitError extends Error {
  override readonly name = 'FitError';
  readonly [ERROR_KINDS]: readonly string[];
  constructor(
    readonly reason: FitRejectionReason | 'jwks_unavailable',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this[ERROR_KINDS] = reason === 'jwks_unavailable' ? ['fit', 'jwks_unavailable'] : ['fit', 'fit_rejected'];
  }
}
