import {
  type InvocationContext,
  type OperationName,
  type OperationResult,
  operations,
  type ProblemCode,
  problemSchema,
} from '@pagewire/shared';
import { resolverError, retryAtFrom } from './resolver-errors';

/** What the resolver needs from a response; `@forge/api`'s `APIResponse` has it. */
export interface BackendResponse {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export interface BackendRequest {
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
}

/** Sends one request to the Pagewire backend (in production: `invokeRemote('backend', …)`). */
export type BackendTransport = (path: string, request: BackendRequest) => Promise<BackendResponse>;

export interface BackendClientOptions {
  transport: BackendTransport;
  /**
   * A UI resolver has 25 s in all (docs/platform-notes.md#forge-invocation-time-limits) and the settings
   * resolver spends up to a few seconds on the admin check first, so one
   * backend call gets well under that and is never retried.
   */
  timeoutMs: number;
  now: () => Date;
}

export interface BackendClient {
  call<Name extends OperationName>(
    name: Name,
    context: InvocationContext,
    input: unknown,
  ): Promise<OperationResult<Name>>;
}

class DeadlineExceeded extends Error {}

export function createBackendClient(options: BackendClientOptions): BackendClient {
  return {
    async call(name, context, input) {
      const controller = new AbortController();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(new DeadlineExceeded());
        }, options.timeoutMs);
      });
      try {
        // The body is read inside the race too: a backend that sends headers
        // and then stalls must not hold the resolver past its budget.
        const exchange = (async () => {
          const response = await options.transport(`/forge/v1/${name}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/json' },
            body: JSON.stringify({ context, input }),
            signal: controller.signal,
          });
          return { response, text: await response.text() };
        })();
        const { response, text } = await Promise.race([exchange, deadline]);
        return interpretResponse(name, response, text, options.now());
      } catch (error) {
        if (error instanceof DeadlineExceeded) return { ok: false, error: resolverError('backend_timeout') };
        // Whatever the transport threw (DNS, TLS, Forge's proxy refusing the
        // remote) means the same thing to the user: the service is out of reach.
        return { ok: false, error: resolverError('backend_unreachable') };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function interpretResponse<Name extends OperationName>(
  name: Name,
  response: BackendResponse,
  text: string,
  now: Date,
): OperationResult<Name> {
  const body = parseJson(text);
  if (response.status >= 200 && response.status < 300) {
    const data =
      typeof body === 'object' && body !== null && 'data' in body
        ? (body as { data: unknown }).data
        : undefined;
    const parsed = operations[name].output.safeParse(data);
    if (!parsed.success) {
      return {
        ok: false,
        error: resolverError('internal_error', {
          message:
            'Pagewire’s service answered in a form this version of the app does not understand. Ask your Confluence admin to update the app.',
        }),
      };
    }
    return { ok: true, data: parsed.data } as OperationResult<Name>;
  }

  const problem = problemSchema.safeParse(body);
  const code: ProblemCode = problem.success ? problem.data.code : codeForBareStatus(response.status);
  const retryAt =
    code === 'rate_limited' || code === 'confluence_rate_limited' || response.status === 429
      ? retryAtFrom(
          problem.success ? problem.data.retryAfterSeconds : undefined,
          response.headers.get('retry-after'),
          now,
        )
      : undefined;
  return {
    ok: false,
    error: resolverError(code, {
      // These details are written for the reader (when and by whom), not for an operator.
      ...(problem.success && readerFacingCodes.has(code) ? { message: problem.data.detail } : {}),
      ...(retryAt ? { retry: { at: retryAt, now } } : {}),
      ...(problem.success && problem.data.errors ? { fieldErrors: problem.data.errors } : {}),
    }),
  };
}

const readerFacingCodes = new Set<ProblemCode>(['block_deleted']);

/**
 * A response without a problem body did not come from Pagewire's own error
 * mapper: a proxy or load balancer in front of the backend answered.
 */
function codeForBareStatus(status: number): ProblemCode {
  if (status === 429) return 'rate_limited';
  if (status === 401) return 'invalid_invocation_token';
  if (status === 404) return 'unknown_operation';
  if (status === 413) return 'payload_too_large';
  if (status === 504) return 'backend_timeout';
  if (status === 502 || status === 503) return 'backend_unreachable';
  return 'internal_error';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
