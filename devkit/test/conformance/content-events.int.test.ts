import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createPage, declareEmulator, paragraphDoc, scopedAuth } from '../support/emulator-fixture';

/**
 * Confluence's content events as Forge delivers them to a remote trigger
 * (docs/platform-notes.md#confluence-content-events): the payload fields, the
 * FIT of the endpoint, the redeliveries of a non-2xx answer.
 */
interface Received {
  headers: IncomingHttpHeaders;
  body: {
    eventType: string;
    atlassianId?: string;
    content: { id: string; status: string } & Record<string, unknown>;
    prevContent?: Record<string, unknown>;
    retryContext?: { retryCount: number; retryReason: string };
  };
}

describe('content events', () => {
  const env = declareEmulator();
  const received: Received[] = [];
  let failNext = 0;
  let url = '';
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      if (failNext > 0) {
        failNext -= 1;
        response.writeHead(503).end();
      } else response.writeHead(202).end();
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/forge/v1/events/content`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function settled() {
    await env.dev.contentEventDeliveries({ wait: true });
  }

  it('sends created and updated events with the documented payload and an endpoint FIT, for API writes and Dev API human edits', async () => {
    const site = await env.dev.seedSite();
    await env.dev.subscribeContentEvents(site.installationId, { url, retryDelayMs: 0 });
    received.length = 0;
    const page = await createPage(site, { title: 'Runbook' });
    await settled();
    await env.dev.humanEdit(page.json.id, { accountId: site.member.accountId });
    await settled();

    expect(received.map((event) => event.body.eventType)).toEqual([
      'avi:confluence:created:page',
      'avi:confluence:updated:page',
    ]);
    const [created, edited] = received as [Received, Received];
    expect(created.body).toMatchObject({
      atlassianId: site.admin.accountId,
      content: {
        id: page.json.id,
        type: 'page',
        status: 'current',
        title: 'Runbook',
        space: { id: Number(site.space.id), key: site.space.key },
        history: { latest: true, createdBy: { accountId: site.admin.accountId } },
      },
    });
    expect(edited.body.atlassianId).toBe(site.member.accountId);
    expect(edited.body.retryContext).toBeUndefined();

    const token = (created.headers.authorization ?? '').replace(/^Bearer /, '');
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(env.dev.jwksUrl)), {
      issuer: 'forge/invocation-token',
    });
    expect(payload.app).toMatchObject({
      installationId: site.installationId,
      module: { type: 'core:endpoint', key: 'backend-content-events' },
    });
    expect(payload.context).toBeUndefined();
  });

  it('redelivers after a non-2xx answer up to 4 times, each retry with its retryContext', async () => {
    const site = await env.dev.seedSite();
    await env.dev.subscribeContentEvents(site.installationId, { url, retryDelayMs: 0 });
    received.length = 0;
    failNext = 10;
    await createPage(site, { title: 'Flaky receiver' });
    await settled();
    failNext = 0;
    expect(received).toHaveLength(5);
    expect(received.map((event) => event.body.retryContext?.retryCount ?? 0)).toEqual([0, 1, 2, 3, 4]);
    expect(received[1]!.body.retryContext?.retryReason).toBe('INVALID_REMOTE_INVOCATION_ERROR');
    const attempts = (await env.dev.contentEventDeliveries()).filter(
      (delivery) => delivery.installationId === site.installationId,
    );
    expect(attempts.map((attempt) => attempt.outcome)).toEqual([503, 503, 503, 503, 503]);
  });

  it('sends moved, trashed, restored and deleted events for the matching page operations, and only what the trigger asked for', async () => {
    const site = await env.dev.seedSite();
    await env.dev.subscribeContentEvents(site.installationId, {
      url,
      retryDelayMs: 0,
      events: [
        'avi:confluence:moved:page',
        'avi:confluence:trashed:page',
        'avi:confluence:deleted:page',
        'avi:confluence:restored:page',
      ],
    });
    received.length = 0;
    const parent = await createPage(site, { title: 'Parent' });
    const child = await createPage(site, { title: 'Child' });
    const pageUrl = `${site.gatewayUrl}/wiki/api/v2/pages/${child.json.id}`;
    const moved = await call(pageUrl, {
      method: 'PUT',
      authorization: scopedAuth(site),
      body: {
        id: child.json.id,
        status: 'current',
        title: 'Child',
        parentId: parent.json.id,
        body: { representation: 'atlas_doc_format', value: JSON.stringify(paragraphDoc('moved')) },
        version: { number: 2 },
      },
    });
    expect(moved.status).toBe(200);
    await settled();
    expect((await call(pageUrl, { method: 'DELETE', authorization: scopedAuth(site) })).status).toBe(204);
    await settled();
    const restored = await call(pageUrl, {
      method: 'PUT',
      authorization: scopedAuth(site),
      body: {
        id: child.json.id,
        status: 'current',
        title: 'Child',
        body: { representation: 'atlas_doc_format', value: JSON.stringify(paragraphDoc('back')) },
        version: { number: 3 },
      },
    });
    expect(restored.status).toBe(200);
    await settled();
    await call(pageUrl, { method: 'DELETE', authorization: scopedAuth(site) });
    await settled();
    await call(`${pageUrl}?purge=true`, { method: 'DELETE', authorization: scopedAuth(site) });
    await settled();
    expect(received.map((event) => event.body.eventType)).toEqual([
      'avi:confluence:moved:page',
      'avi:confluence:trashed:page',
      'avi:confluence:restored:page',
      'avi:confluence:trashed:page',
      'avi:confluence:deleted:page',
    ]);
    expect(received[0]!.body.prevContent).toMatchObject({ id: child.json.id });
    expect(received[1]!.body.content.status).toBe('trashed');
  });
});
