import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SeededSite } from '@pagewire/devkit';
import { declareEmulator } from '@pagewire/devkit/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBackend } from '../index';
import { callOperation, ingest } from '../testing/backend-process';
import {
  connectSite,
  createPageAsPerson,
  createWebhook,
  eventually,
  startWebhookBackend,
  webhookTestDatabases,
  webhookTestEnv,
} from '../testing/webhook-stack';
import { CONTENT_EVENTS_PATH } from './content-events-router';
import { startWebhookReceiver, type WebhookReceiver } from './testing/webhook-receiver';

const env = declareEmulator();
let dataDir: string;
let backend: RunningBackend;
let receiver: WebhookReceiver;
let site: SeededSite;
let ingestKey: string;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'pagewire-webhooks-'));
});
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});
afterEach(async () => {
  await receiver?.close();
});

async function freshSpace() {
  site = await env.dev.seedSite();
  ingestKey = await connectSite(env.dev, backend.url, site);
  receiver = await startWebhookReceiver();
  const created = await createWebhook(env.dev, backend.url, site, receiver.url);
  receiver.setSecret(created.secret);
  return created;
}

describe.each(webhookTestDatabases(() => dataDir))(
  'Confluence events in, signed webhooks out ($name)',
  { timeout: 60_000 },
  (database) => {
    beforeAll(async () => {
      backend = await startWebhookBackend(webhookTestEnv(env.dev, await database.url()));
    });
    afterAll(async () => {
      await backend?.close();
      await database.dispose();
    });

    it('delivers a person’s page creation and edit as signed page.created and page.updated webhooks within the same run', async () => {
      await freshSpace();
      const pageId = await createPageAsPerson(site, 'Incident runbook');
      await receiver.waitFor(1);
      await env.dev.humanEdit(pageId, { accountId: site.member.accountId });
      await receiver.waitFor(2);
      const [created, updated] = receiver.accepted();
      expect(created!.event).toMatchObject({
        type: 'page.created',
        installationId: site.installationId,
        spaceKey: site.space.key,
        page: { pageId, title: 'Incident runbook', version: 1, status: 'current' },
        actor: { accountId: site.admin.accountId, isPagewire: false },
      });
      expect(updated!.event).toMatchObject({
        type: 'page.updated',
        page: { pageId, version: 2 },
        actor: { accountId: site.member.accountId, isPagewire: false },
      });
      expect(updated!.event.page.checksum).not.toBe(created!.event.page.checksum);
      expect(receiver.badSignatures()).toBe(0);
    });

    it('marks Pagewire’s own page writes as its own, and a person’s later edit of that managed page as edited at once', async () => {
      await freshSpace();
      const published = await ingest(backend.url, ingestKey, '/ingest/v1/pages/status-report', {
        spaceKey: site.space.key,
        title: 'Status report',
        markdown: '# All green',
      });
      expect(published.status).toBe(202);
      await receiver.waitFor(1);
      const own = receiver.accepted()[0]!.event;
      expect(own).toMatchObject({
        type: 'page.created',
        page: { title: 'Status report', version: 1 },
        actor: { isPagewire: true },
      });

      await env.dev.humanEdit(own.page.pageId, { accountId: site.member.accountId });
      await receiver.waitFor(2);
      expect(receiver.accepted()[1]!.event.actor).toEqual({
        accountId: site.member.accountId,
        isPagewire: false,
      });
      const listed = (await callOperation(env.dev, backend.url, site, 'pages.list', {})) as {
        pages: Array<{ pageId: string; lastJob: { humanEdit?: { by: string; version: number } } | null }>;
      };
      expect(listed.pages.find((page) => page.pageId === own.page.pageId)?.lastJob?.humanEdit).toMatchObject({
        by: site.member.accountId,
        version: 2,
      });
    });

    it('delivers an event Forge sends twice only once, since the page version did not move', async () => {
      await freshSpace();
      const pageId = await createPageAsPerson(site, 'Twice told');
      await receiver.waitFor(1);
      const event = {
        eventType: 'avi:confluence:updated:page',
        atlassianId: site.admin.accountId,
        content: {
          id: pageId,
          type: 'page',
          status: 'current',
          title: 'Twice told',
          space: { id: Number(site.space.id), key: site.space.key },
        },
      };
      for (let attempt = 0; attempt < 2; attempt++) {
        const { token } = await env.dev.mintFit({
          installationId: site.installationId,
          moduleType: 'core:endpoint',
          moduleKey: 'backend-content-events',
        });
        const response = await fetch(`${backend.url}${CONTENT_EVENTS_PATH}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(event),
        });
        expect(response.status).toBe(202);
      }
      await env.dev.humanEdit(pageId);
      await receiver.waitFor(2);
      expect(
        receiver.accepted().map((delivery) => [delivery.event.type, delivery.event.page.version]),
      ).toEqual([
        ['page.created', 1],
        ['page.updated', 2],
      ]);
    });

    it('refuses a content event from any module but the content-event endpoint, and a payload of the wrong shape', async () => {
      await freshSpace();
      const post = async (moduleKey: string, body: unknown) => {
        const { token } = await env.dev.mintFit({
          installationId: site.installationId,
          moduleType: 'core:endpoint',
          moduleKey,
        });
        return fetch(`${backend.url}${CONTENT_EVENTS_PATH}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      };
      const wrongModule = await post('backend-lifecycle', { eventType: 'avi:confluence:updated:page' });
      expect(wrongModule.status).toBe(403);
      expect(((await wrongModule.json()) as { code: string }).code).toBe('wrong_module');
      const wrongShape = await post('backend-content-events', {
        eventType: 'avi:confluence:updated:page',
        content: { id: 'x' },
      });
      expect(wrongShape.status).toBe(400);
      expect(((await wrongShape.json()) as { code: string }).code).toBe('validation_failed');
      const unsigned = await fetch(`${backend.url}${CONTENT_EVENTS_PATH}`, { method: 'POST', body: '{}' });
      expect(unsigned.status).toBe(401);
    });

    it('lists subscriptions with their counts and last success, tests one, and deletes it', async () => {
      const created = await freshSpace();
      const test = (await callOperation(
        env.dev,
        backend.url,
        site,
        'webhooks.test',
        { id: created.id },
        { isSpaceAdmin: true },
      )) as {
        deliveryId: string;
      };
      await receiver.waitFor(1);
      expect(receiver.accepted()[0]).toMatchObject({ id: test.deliveryId, event: { type: 'webhook.test' } });
      const listed = await eventually(async () => {
        const { subscriptions } = (await callOperation(env.dev, backend.url, site, 'webhooks.list', {})) as {
          subscriptions: Array<{
            id: string;
            deliveries: { delivered: number };
            lastSuccessAt: string | null;
            url: string;
          }>;
        };
        return subscriptions[0]?.lastSuccessAt ? subscriptions : null;
      }, 'the test delivery to count');
      expect(listed).toHaveLength(1);
      expect(listed[0]).toMatchObject({ id: created.id, url: receiver.url, deliveries: { delivered: 1 } });
      expect(JSON.stringify(listed)).not.toContain(created.secret);
      await callOperation(
        env.dev,
        backend.url,
        site,
        'webhooks.delete',
        { id: created.id },
        { isSpaceAdmin: true },
      );
      const after = (await callOperation(env.dev, backend.url, site, 'webhooks.list', {})) as {
        subscriptions: unknown[];
      };
      expect(after.subscriptions).toEqual([]);
    });
  },
);
