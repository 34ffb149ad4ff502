import type { Clock } from '../clock';

/** One request as the fake saw it, with the body parsed from JSON when it was JSON. */
export interface RecordedRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
  readonly body: unknown;
  /** The fake clock's time when the request arrived (Date.now() without a clock). */
  readonly at: number;
}

export type FakeHandler = (request: RecordedRequest) => Response | Promise<Response>;

/**
 * A `fetch` answered by a function, recording every request. It honours the
 * abort signal, so a handler that never answers exercises timeouts.
 */
export function createFakeFetch(
  handler: FakeHandler,
  clock?: Clock,
): { fetch: typeof fetch; requests: RecordedRequest[] } {
  const requests: RecordedRequest[] = [];
  const fakeFetch = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const rawBody = typeof init.body === 'string' ? init.body : undefined;
    let body: unknown = rawBody;
    if (rawBody !== undefined) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = rawBody;
      }
    }
    const request: RecordedRequest = {
      method: (init.method ?? 'GET').toUpperCase(),
      url,
      headers: new Headers(init.headers),
      body,
      at: clock ? clock.now() : Date.now(),
    };
    requests.push(request);
    const signal = init.signal;
    if (signal?.aborted) throw signal.reason;
    return await new Promise<Response>((resolve, reject) => {
      const onAbort = () => reject(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      Promise.resolve()
        .then(() => handler(request))
        .then(
          (response) => {
            signal?.removeEventListener('abort', onAbort);
            resolve(response);
          },
          (error) => {
            signal?.removeEventListener('abort', onAbort);
            reject(error);
          },
        );
    });
  }) as typeof fetch;
  return { fetch: fakeFetch, requests };
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** A failure the way undici reports it: `TypeError('fetch failed')` with the socket error as cause. */
export function networkFailure(code: string): Error {
  const cause = Object.assign(new Error(`connect ${code}`), { code });
  return new TypeError('fetch failed', { cause });
}
