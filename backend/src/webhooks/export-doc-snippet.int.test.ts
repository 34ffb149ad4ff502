import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createWebhookSender } from './webhook-sender';
import { generateWebhookSecret, signDelivery } from './webhook-signature';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The TypeScript block of docs/EXPORT.md's "Events and webhooks", as a consumer would paste it. */
function exportDocSnippet(): string {
  const doc = readFileSync(join(repositoryRoot, 'docs/EXPORT.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Events and webhooks'));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (match === null) throw new Error('docs/EXPORT.md has no TypeScript snippet under "Events and webhooks"');
  return match[1]!;
}

type Verify = (secret: string, headers: Record<string, string | undefined>, body: string) => boolean;

/**
 * The verification snippet of docs/EXPORT.md against a real delivery: the
 * backend's own signing and https sender (private targets allowed, as in
 * tests) POST to a receiver that checks with the snippet, exactly as pasted.
 */
describe('the TypeScript verification snippet in docs/EXPORT.md', () => {
  const dir = mkdtempSync(join(resolve(repositoryRoot, 'backend'), '.snippet-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function loadSnippet(): Promise<Verify> {
    const file = join(dir, 'verify-pagewire-webhook.ts');
    writeFileSync(file, exportDocSnippet());
    return ((await import(file)) as { verifyPagewireWebhook: Verify }).verifyPagewireWebhook;
  }

  it('accepts a delivery Pagewire signed and sent, and refuses it tampered, re-signed with another secret or stale', async () => {
    const verify = await loadSnippet();
    const secret = generateWebhookSecret();
    const seen: Array<{ headers: Record<string, string | undefined>; body: string }> = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      request.on('end', () => {
        const headers = {
          'webhook-id': request.headers['webhook-id'] as string | undefined,
          'webhook-timestamp': request.headers['webhook-timestamp'] as string | undefined,
          'webhook-signature': request.headers['webhook-signature'] as string | undefined,
        };
        seen.push({ headers, body });
        response.writeHead(verify(secret, headers, body) ? 204 : 400).end();
      });
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/pagewire`;
      const body = JSON.stringify({
        type: 'page.updated',
        occurredAt: new Date().toISOString(),
        installationId: 'ari:cloud:ecosystem::installation/aaaaaaaa-0000-4000-8000-000000000001',
        spaceKey: 'ENG',
        page: {
          pageId: '65601',
          title: 'Runbook — ünïcode',
          version: 7,
          status: 'current',
          updatedAt: '',
          checksum: '',
          url: '',
        },
        actor: { accountId: '557058:person', isPagewire: false },
      });
      const sender = createWebhookSender({ policy: { allowPrivate: true } });
      const headers = signDelivery(secret, 'msg_0193a5c2e0f87c3aa1b2c3d4e5f60718', new Date(), body);
      const outcome = await sender.send(url, { ...headers }, body);
      expect(outcome).toMatchObject({ ok: true, status: 204 });

      const delivered = seen[0]!;
      expect(verify(secret, delivered.headers, delivered.body)).toBe(true);
      expect(verify(secret, delivered.headers, delivered.body.replace('"version":7', '"version":8'))).toBe(
        false,
      );
      expect(verify(generateWebhookSecret(), delivered.headers, delivered.body)).toBe(false);
      const stale = signDelivery(secret, headers['webhook-id'], new Date(Date.now() - 10 * 60_000), body);
      expect(verify(secret, { ...stale }, body)).toBe(false);
      // During a rotation the header lists two signatures; either may be the receiver's.
      const rotated = {
        ...delivered.headers,
        'webhook-signature': `v1,bm90IHRoaXMgb25l ${delivered.headers['webhook-signature']}`,
      };
      expect(verify(secret, rotated, delivered.body)).toBe(true);
    } finally {
      await new Promise<void>((closed) => server.close(() => closed()));
    }
  });
});
