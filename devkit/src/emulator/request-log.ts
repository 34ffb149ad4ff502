import type { CredentialKind } from './confluence/credentials';

/**
 * What the emulator saw, for assertions ("the publisher made exactly one PUT",
 * "every call used the app token"). Bounded, so a long benchmark cannot grow
 * the process without limit; secrets never enter it (credentials are recorded
 * by kind and non-secret id only).
 */
export interface RequestLogEntry {
  readonly seq: number;
  readonly time: string;
  readonly method: string;
  /** The emulator path without the query string. */
  readonly path: string;
  readonly query: string;
  readonly status: number;
  readonly credential: CredentialKind | 'anonymous';
  readonly credentialId: string | null;
  readonly cloudId: string | null;
  readonly operationId: string | null;
  readonly fault: 'error' | 'drop' | null;
  readonly durationMs: number;
}

export interface RequestLog {
  record(entry: Omit<RequestLogEntry, 'seq'>): void;
  entries(filter?: { since?: number; cloudId?: string }): RequestLogEntry[];
  clear(): void;
}

export const REQUEST_LOG_CAPACITY = 20_000;

export function createRequestLog(capacity = REQUEST_LOG_CAPACITY): RequestLog {
  let entries: RequestLogEntry[] = [];
  let seq = 0;
  return {
    record(entry) {
      seq += 1;
      entries.push({ seq, ...entry });
      // Trim in batches so the hot path stays an array push.
      if (entries.length > capacity * 1.25) entries = entries.slice(entries.length - capacity);
    },
    entries(filter = {}) {
      return entries.filter(
        (entry) =>
          (filter.since === undefined || entry.seq > filter.since) &&
          (filter.cloudId === undefined || entry.cloudId === filter.cloudId),
      );
    },
    clear() {
      entries = [];
    },
  };
}
