import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import {
  checkTargetUrl,
  createGuardedLookup,
  hostLiteral,
  type Resolve,
  type TargetPolicy,
  WebhookTargetError,
} from './webhook-target';

/** A receiver has this long to answer, connection and TLS included (docs/WEBHOOKS.md, "Targets"). */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** What is read of a receiver's answer (for the error shown to the admin); the rest is discarded. */
const MAX_ANSWER_BYTES = 1024;

export type SendOutcome =
  | { ok: true; status: number }
  | {
      ok: false;
      status: number | null;
      detail: string /** The URL itself is refused: retrying can't help until DNS changes. */;
      refused: boolean;
    };

export interface WebhookSender {
  send(url: string, headers: Record<string, string>, body: string): Promise<SendOutcome>;
}

export interface WebhookSenderOptions {
  policy: TargetPolicy;
  resolve?: Resolve;
  timeoutMs?: number;
}

/**
 * POSTs one signed delivery. node:http(s) rather than fetch: its `lookup`
 * hook is where the resolved address is checked and then used for the
 * connection itself (webhook-target.ts). Redirects are never followed (a
 * 3xx is a failure that names the status), nothing is sent but the body and
 * the Standard Webhooks headers, and nothing of the answer is kept beyond a
 * short excerpt for the subscription's last error.
 */
export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const lookup = createGuardedLookup(options.policy, options.resolve);
  const timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;

  return {
    send(rawUrl, headers, body) {
      let url: URL;
      try {
        url = checkTargetUrl(rawUrl, options.policy);
      } catch (error) {
        return Promise.resolve(refusedOutcome(error));
      }
      const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const literal = hostLiteral(url.hostname);
      return new Promise<SendOutcome>((resolve) => {
        let settled = false;
        const settle = (outcome: SendOutcome) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(outcome);
        };
        const outgoing = request(
          {
            method: 'POST',
            protocol: url.protocol,
            hostname: literal ?? url.hostname,
            port: url.port === '' ? undefined : Number(url.port),
            path: `${url.pathname}${url.search}`,
            // An IP literal was checked with the URL; a name is checked by the lookup, per attempt.
            ...(literal === null ? { lookup } : {}),
            servername: literal === null ? url.hostname : undefined,
            agent: false,
            headers: {
              ...headers,
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
              'user-agent': 'Pagewire-Webhooks/1',
            },
          },
          (response: IncomingMessage) => {
            const status = response.statusCode ?? 0;
            const chunks: Buffer[] = [];
            let kept = 0;
            response.on('data', (chunk: Buffer) => {
              if (kept < MAX_ANSWER_BYTES) {
                chunks.push(chunk);
                kept += chunk.length;
              }
            });
            response.on('error', () =>
              settle({ ok: false, status, detail: 'the answer broke off', refused: false }),
            );
            response.on('end', () => {
              if (status >= 200 && status < 300) return settle({ ok: true, status });
              const excerpt = Buffer.concat(chunks)
                .subarray(0, 200)
                .toString('utf8')
                .replace(/\s+/g, ' ')
                .trim();
              const what =
                status >= 300 && status < 400
                  ? `a redirect (${status}), which is not followed`
                  : `HTTP ${status}`;
              settle({
                ok: false,
                status,
                detail: excerpt === '' ? `answered ${what}` : `answered ${what}: ${excerpt}`,
                refused: false,
              });
            });
          },
        );
        const timer = setTimeout(() => {
          outgoing.destroy();
          settle({
            ok: false,
            status: null,
            detail: `no answer within ${timeoutMs / 1000} s`,
            refused: false,
          });
        }, timeoutMs);
        outgoing.on('error', (error: Error) => {
          if (error instanceof WebhookTargetError) return settle(refusedOutcome(error));
          settle({ ok: false, status: null, detail: networkDetail(error), refused: false });
        });
        outgoing.end(body);
      });
    },
  };
}

function refusedOutcome(error: unknown): SendOutcome {
  if (error instanceof WebhookTargetError) {
    // An unresolvable name may resolve later; a private answer or a bad URL will not by retrying alone.
    return { ok: false, status: null, detail: error.message, refused: error.refusal !== 'unresolvable' };
  }
  throw error;
}

function networkDetail(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'the connection was refused';
    case 'ECONNRESET':
      return 'the connection was reset';
    case 'ETIMEDOUT':
      return 'the connection timed out';
    case 'CERT_HAS_EXPIRED':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `the TLS certificate was not accepted (${code})`;
    default:
      return code === undefined ? 'the request failed' : `the request failed (${code})`;
  }
}
