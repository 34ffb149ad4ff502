import { describe, expect, it } from 'vitest';
import {
  AuthError,
  ConflictError,
  ConfluenceError,
  ConfluenceHttpError,
  isAuthError,
  isConflictError,
  isConfluenceError,
  isNetworkError,
  isRateLimitError,
  isRetryableLater,
  isScopeError,
  NetworkError,
  NoCredentialError,
  RateLimitError,
  ScopeError,
  ServerError,
} from './errors';

describe('Confluence errors', () => {
  it('carry their kinds, so predicates and instanceof agree with the class hierarchy', () => {
    const conflict = new ConflictError('page 7 changed', 6);
    expect(conflict).toBeInstanceOf(ConflictError);
    expect(conflict).toBeInstanceOf(ConfluenceHttpError);
    expect(conflict).toBeInstanceOf(ConfluenceError);
    expect(conflict).toBeInstanceOf(Error);
    expect(conflict).not.toBeInstanceOf(AuthError);
    expect(isConflictError(conflict)).toBe(true);
    expect(isConfluenceError(conflict)).toBe(true);
    expect(isAuthError(conflict)).toBe(false);
    expect(conflict.name).toBe('ConflictError');
  });

  it('keep a scope problem apart from an expired credential', () => {
    const scope = new ScopeError('lacks write:label:confluence', {
      missingScopes: ['write:label:confluence'],
      credential: 'the Forge app token',
    });
    expect(isScopeError(scope)).toBe(true);
    expect(isAuthError(scope)).toBe(false);
    expect(scope.problemCode).toBe('confluence_scope_missing');
    expect(new AuthError('expired', 'the Forge app token').problemCode).toBe('confluence_auth_failed');
  });

  it('are recognised when they come from another copy of this module', async () => {
    // A query string makes the module loader evaluate errors.ts a second time.
    const specifier = './errors?second-copy';
    const copy = (await import(/* @vite-ignore */ specifier)) as typeof import('./errors');
    expect(copy.RateLimitError).not.toBe(RateLimitError);
    const foreign = new copy.RateLimitError('slow down', {
      retryAfterMs: 1000,
      reason: null,
      scope: 'burst',
    });
    expect(foreign instanceof RateLimitError).toBe(true);
    expect(isRateLimitError(foreign)).toBe(true);
    expect(isNetworkError(foreign)).toBe(false);
    expect(copy.isConflictError(new ConflictError('changed', 2))).toBe(true);
  });

  it('tell the queue which failures are worth retrying later', () => {
    expect(isRetryableLater(new RateLimitError('x', { retryAfterMs: 1, reason: null, scope: 'burst' }))).toBe(
      true,
    );
    expect(isRetryableLater(new ServerError('x', true))).toBe(true);
    expect(isRetryableLater(new NoCredentialError('x'))).toBe(true);
    expect(
      isRetryableLater(new NetworkError('x', { transient: true, ambiguous: false, timedOut: false })),
    ).toBe(true);
    expect(isRetryableLater(new ScopeError('x', { missingScopes: [], credential: 'c' }))).toBe(false);
    expect(isRetryableLater(new AuthError('x', 'c'))).toBe(false);
    expect(isRetryableLater(new Error('x'))).toBe(false);
  });
});
