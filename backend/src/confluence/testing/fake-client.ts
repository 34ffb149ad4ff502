import { type ConfluenceClient, type ConfluenceClientOptions, createConfluenceClient } from '../client';
import type { ConfluenceCredential } from '../credential';
import type { Pacer } from '../pacer';
import type { FakeClock } from './fake-clock';
import { createFakeFetch, type FakeHandler, type RecordedRequest } from './fake-fetch';

export interface FakeClientOptions {
  /** Answers every request the client sends. */
  handler: FakeHandler;
  clock: FakeClock;
  /** A gateway base, `<apiBase>/ex/confluence/<cloudId>`; its origin is the allowed API base. */
  baseUrl: string;
  credential: ConfluenceCredential;
  /** A private pacer on `clock` when absent. */
  pacer?: Pacer;
  /** Jitter; the middle of the range unless a test pins it. */
  random?: () => number;
  timeoutMs?: number;
  onAttempt?: ConfluenceClientOptions['onAttempt'];
}

/** The real client on fake time, talking to a handler instead of Confluence. */
export function createFakeClient(options: FakeClientOptions): {
  client: ConfluenceClient;
  requests: RecordedRequest[];
} {
  const fake = createFakeFetch(options.handler, options.clock);
  const client = createConfluenceClient({
    baseUrl: options.baseUrl,
    allowedApiBase: new URL(options.baseUrl).origin,
    credential: options.credential,
    fetch: fake.fetch,
    clock: options.clock,
    random: options.random ?? (() => 0.5),
    pacer: options.pacer,
    timeoutMs: options.timeoutMs,
    onAttempt: options.onAttempt,
  });
  return { client, requests: fake.requests };
}
