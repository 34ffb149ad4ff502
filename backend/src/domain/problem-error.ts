import { type FieldError, makeProblem, type Problem, type ProblemCode } from '@pagewire/shared';
import { ERROR_KINDS, hasErrorKind } from '../error-kinds';

/**
 * An error that already knows how it is answered: a stable `code` from the
 * closed union in @pagewire/shared and a `detail` safe to show a user (no
 * stack, no token, nothing about another tenant).
 */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  readonly [ERROR_KINDS]: readonly string[];
  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly extra: { errors?: FieldError[]; retryAfterSeconds?: number } = {},
  ) {
    super(detail);
    this[ERROR_KINDS] = ['problem', code];
  }

  toProblem(requestId?: string): Problem {
    return makeProblem(this.code, this.detail, {
      ...(requestId === undefined ? {} : { requestId }),
      ...(this.extra.errors === undefined ? {} : { errors: this.extra.errors }),
      ...(this.extra.retryAfterSeconds === undefined
        ? {}
        : { retryAfterSeconds: this.extra.retryAfterSeconds }),
    });
  }
}

export function isProblemError(error: unknown): error is ProblemError {
  return hasErrorKind(error, 'problem') && error instanceof Error && 'toProblem' in error;
}

/** Field errors under a prefix, so `/content/…` points at the field inside the body. */
export function prefixFieldErrors(errors: FieldError[], prefix: string): FieldError[] {
  return errors.map((error) => ({ ...error, path: `${prefix}${error.path}` }));
}
