import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDevApiClient, startEmulator } from '@pagewire/devkit';
import { createEmulatorState } from '@pagewire/devkit/emulator-state';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKEND_CONTENT_EVENTS_PATH, subscribeBackendToContentEvents } from './content-events';

interface Received {
  path: string;
  authorization: string | undefined;
  body: { eventType: string; content: { id: string } };
}

/** A stand-in for the backend that records what the emulator's trigger sends it. */
async function startRecordingBackend() {
  const received: Received[] = [];
  const waiters: Array<() => void> = [];
  const server = createServer((request: IncomingMessage, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    request.on('end', () => {
      received.push({
        path: request.url ?? '',
        authorization: request.headers.authorization,
        body: JSON.parse(text) as Received['body'],
      });
      for (const waiter of waiters.splice(0)) waiter();
      response.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    async waitFor(predicate: (entry: Received) => boolean) {
      const deadline = Date.now() + 10_000;
      while (!received.some(predicate)) {
        if (Date.now() > deadline) throw new Error('no such content event reached the backend');
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('the local stack’s content-event subscription', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('sends an edit made in the emulator to the backend’s content-event route, signed as Forge would', async () => {
    const emulator = await startEmulator({ port: 0, state: createEmulatorState() });
    cleanups.push(() => emulator.close());
    const dev = createDevApiClient(emulator.url);
    const backend = await startRecordingBackend();
    cleanups.push(() => backend.close());
    const site = await dev.seedSite({ name: 'local-stack-events' });

    await subscribeBackendToContentEvents(dev, site.installationId, backend.url);
    // A restart subscribes again (the backend may have a new port): still one delivery per edit.
    await subscribeBackendToContentEvents(dev, site.installationId, backend.url);
    const page = await dev.humanEdit(site.space.homepageId!, { body: '<p>edited in the emulator</p>' });

    const isTheEdit = (entry: Received) =>
      entry.body.eventType === 'avi:confluence:updated:page' && entry.body.content.id === page.id;
    await backend.waitFor(isTheEdit);
    const edits = backend.received.filter(isTheEdit);
    expect(edits).toHaveLength(1);
    expect(edits[0]!.path).toBe(BACKEND_CONTENT_EVENTS_PATH);
    expect(edits[0]!.authorization).toMatch(/^Bearer ey/);
  });
});
