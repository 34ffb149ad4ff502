import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebhookEvent, webhookEventSchema } from '@pagewire/shared';
import { Webhook } from 'standardwebhooks';

/** One delivery as a receiver saw it, signature checked with the Standard Webhooks reference library. */
export interface ReceivedDelivery {
  id: string;
  event: WebhookEvent;
  receivedAtMs: number;
}

export type ReceiverMode = 'up' | 'down' | 'hang';

/**
 * A webhook receiver for tests and the benchmark: verifies every delivery's
 * signature (a bad one is answered 400 and counted), dedupes by
 * `webhook-id` as the spec tells receivers to, and can be down (503), or hang
 * (hold requests unanswered until `release`).
 */
export interface WebhookReceiver {
  readonly url: string;
  setSecret(secret: string): void;
  setMode(mode: ReceiverMode): void;
  /** Answers every held request with 200 (they count as received). */
  release(): void;
  /** Distinct deliveries accepted, in arrival order. */
  accepted(): ReceivedDelivery[];
  /** Every attempt that reached the receiver, including repeats and refusals. */
  attempts(): number;
  duplicates(): number;
  badSignatures(): number;
  held(): number;
  /** The ids of every request that was held, in arrival order (answered or not). */
  heldIds(): string[];
  /** Resolves once `count` distinct deliveries were accepted (or rejects at the deadline). */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  /** Resolves once `count` requests are being held. */
  waitForHeld(count: number, timeoutMs?: number): Promise<void>;
  /** Called with every distinct delivery accepted from now on. */
  onAccepted(listener: (delivery: ReceivedDelivery) => void): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  let verifier: Webhook | null = null;
  let mode: ReceiverMode = 'up';
  const accepted: ReceivedDelivery[] = [];
  const seen = new Set<string>();
  const held: Array<{ response: ServerResponse; accept: () => void }> = [];
  const heldIds: string[] = [];
  let attempts = 0;
  let duplicates = 0;
  let bad = 0;
  const waiters = new Set<() => void>();
  const listeners: Array<(delivery: ReceivedDelivery) => void> = [];
  const notify = () => {
    for (const waiter of waiters) waiter();
  };

  function handle(request: IncomingMessage, response: ServerResponse, body: string) {
    attempts += 1;
    if (mode === 'down') {
      response.writeHead(503).end('down for maintenance');
      return;
    }
    const headers = {
      'webhook-id': String(request.headers['webhook-id'] ?? ''),
      'webhook-timestamp': String(request.headers['webhook-timestamp'] ?? ''),
      'webhook-signature': String(request.headers['webhook-signature'] ?? ''),
    };
    let event: WebhookEvent;
    try {
      if (verifier === null) throw new Error('no secret yet');
      event = webhookEventSchema.parse(verifier.verify(body, headers));
    } catch {
      bad += 1;
      response.writeHead(400).end('bad signature');
      return;
    }
    const accept = () => {
      if (seen.has(headers['webhook-id'])) duplicates += 1;
      else {
        seen.add(headers['webhook-id']);
        const delivery = { id: headers['webhook-id'], event, receivedAtMs: Date.now() };
        accepted.push(delivery);
        for (const listener of listeners) listener(delivery);
      }
      notify();
    };
    if (mode === 'hang') {
      held.push({ response, accept });
      heldIds.push(headers['webhook-id']);
      notify();
      return;
    }
    accept();
    response.writeHead(200).end();
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request, response, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/pagewire`;

  function until(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(
          new Error(`${what} within ${timeoutMs} ms (accepted ${accepted.length}, held ${held.length})`),
        );
      }, timeoutMs);
      waiters.add(check);
    });
  }

  return {
    url,
    setSecret(secret) {
      verifier = new Webhook(secret);
    },
    setMode(next) {
      mode = next;
    },
    release() {
      for (const { response, accept } of held.splice(0)) {
        accept();
        if (!response.destroyed) response.writeHead(200).end();
      }
    },
    accepted: () => [...accepted],
    attempts: () => attempts,
    duplicates: () => duplicates,
    badSignatures: () => bad,
    held: () => held.length,
    heldIds: () => [...heldIds],
    waitFor: (count, timeoutMs = 60_000) =>
      until(() => accepted.length >= count, `${count} deliveries`, timeoutMs),
    waitForHeld: (count, timeoutMs = 60_000) =>
      until(() => held.length >= count, `${count} held requests`, timeoutMs),
    onAccepted(listener) {
      listeners.push(listener);
    },
    async close() {
      for (const { response } of held.splice(0)) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
