import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { declareEmulator } from '@pagewire/devkit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBackend } from '../index';
import { callOperation } from '../testing/backend-process';
import {
  connectSite,
  createPageAsPerson,
  startWebhookBackend,
  webhookTestDatabases,
  webhookTestEnv,
} from '../testing/webhook-stack';
import { startWebhookReceiver, type WebhookReceiver } from './testing/webhook-receiver';

const env = declareEmulator();
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
let dataDir: string;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'pagewire-operator-webhooks-'));
});
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe.each(webhookTestDatabases(() => dataDir))(
  'webhooks an operator declares in PAGEWIRE_WEBHOOKS ($name)',
  { timeout: 60_000 },
  (database) => {
    let backend: RunningBackend;
    let receiver: WebhookReceiver;

    beforeAll(async () => {
      receiver = await startWebhookReceiver();
      receiver.setSecret(SECRET);
      const operatorList = JSON.stringify([{ url: receiver.url, events: ['page.created'], secret: SECRET }]);
      backend = await startWebhookBackend(
        webhookTestEnv(env.dev, await database.url(), { PAGEWIRE_WEBHOOKS: operatorList }),
      );
    });
    afterAll(async () => {
      await backend?.close();
      await receiver?.close();
      await database.dispose();
    });

    it('delivers every space’s events signed with the operator’s own secret, without a space admin adding anything', async () => {
      const site = await env.dev.seedSite();
      await connectSite(env.dev, backend.url, site);
      const pageId = await createPageAsPerson(site, 'Found by the search index');
      await receiver.waitFor(1);
      expect(receiver.accepted()[0]!.event).toMatchObject({
        type: 'page.created',
        installationId: site.installationId,
        spaceKey: site.space.key,
        page: { pageId, title: 'Found by the search index' },
      });
      expect(receiver.badSignatures()).toBe(0);
      const listed = (await callOperation(env.dev, backend.url, site, 'webhooks.list', {})) as {
        subscriptions: Array<{ url: string; managedBy: string; deliveries: { delivered: number } }>;
      };
      expect(listed.subscriptions).toEqual([
        expect.objectContaining({ url: receiver.url, managedBy: 'operator' }),
      ]);
      expect(JSON.stringify(listed)).not.toContain(SECRET.slice('whsec_'.length));
    });
  },
);
