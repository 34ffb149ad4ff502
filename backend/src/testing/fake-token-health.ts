import type { TokenHealth, TokenHealthStatus } from '@pagewire/shared';
import type { ApiTokenHealthCheck, ApiTokenHealthInput } from '../credentials/credential-ports';

/**
 * A stand-in for `checkApiTokenHealth` in tests that are about storage, not
 * about Confluence: it answers whatever status the test set for a token and
 * records what it was asked (so a test can prove the token reached it).
 */
export interface FakeTokenHealth {
  readonly check: ApiTokenHealthCheck;
  readonly calls: ApiTokenHealthInput[];
  answer(token: string, status: TokenHealthStatus, missingScopes?: string[]): void;
  failWith(token: string, error: Error): void;
}

export const GRANTED_SCOPES = ['read:page:confluence', 'write:page:confluence', 'read:space:confluence'];

export function createFakeTokenHealth(now: () => Date = () => new Date()): FakeTokenHealth {
  const answers = new Map<string, { status: TokenHealthStatus; missingScopes: string[] } | Error>();
  const calls: ApiTokenHealthInput[] = [];
  return {
    calls,
    answer(token, status, missingScopes = []) {
      answers.set(token, { status, missingScopes });
    },
    failWith(token, error) {
      answers.set(token, error);
    },
    async check(input) {
      calls.push(input);
      const answer = answers.get(input.token) ?? { status: 'ok' as const, missingScopes: [] };
      if (answer instanceof Error) throw answer;
      const health: TokenHealth = {
        status: answer.status,
        missingScopes: answer.missingScopes,
        checkedAt: now().toISOString(),
      };
      return {
        health,
        grantedScopes:
          answer.status === 'ok'
            ? [...GRANTED_SCOPES]
            : GRANTED_SCOPES.filter((s) => !answer.missingScopes.includes(s)),
      };
    },
  };
}
