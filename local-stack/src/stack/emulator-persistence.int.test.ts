import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDevApiClient, startEmulator } from '@pagewire/devkit';
import { createEmulatorState } from '@pagewire/devkit/emulator-state';
import { afterEach, describe, expect, it } from 'vitest';
import { loadEmulatorState, saveEmulatorState } from './emulator-persistence';

describe('the emulator world the local stack keeps between runs', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'pagewire-persist-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  it('comes back with its site, pages, versions, tokens and installation, and never reuses an id', async () => {
    const dir = tempDir();
    const state = createEmulatorState();
    const first = await startEmulator({ port: 0, state });
    const dev = createDevApiClient(first.url);
    const site = await dev.seedSite({ name: 'persisted' });
    const page = await dev.humanEdit(site.space.homepageId!, { body: '<p>edited</p>' });
    await first.close();
    saveEmulatorState(join(dir, 'world.json'), state);

    const loaded = loadEmulatorState(join(dir, 'world.json'));
    expect(loaded.kind).toBe('restored');
    const second = await startEmulator({ port: 0, state: loaded.state });
    cleanups.push(() => second.close());
    const again = createDevApiClient(second.url);
    const pages = await again.pages(site.cloudId);
    expect(pages.find((candidate) => candidate.id === page.id)).toMatchObject({
      version: { number: 2 },
      body: { value: '<p>edited</p>' },
    });
    expect((await again.getInstallation(site.installationId)).cloudId).toBe(site.cloudId);
    // The admin's scoped token still works at the gateway of the restored site.
    const spaces = await fetch(`${again.gatewayUrl(site.cloudId)}/wiki/api/v2/spaces`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${site.admin.email}:${site.scopedToken}`).toString('base64')}`,
      },
    });
    expect(spaces.status).toBe(200);
    const created = await again.createSpace({
      cloudId: site.cloudId,
      key: 'NEW',
      name: 'New',
      admins: [site.admin.accountId],
    });
    expect(pages.map((candidate) => candidate.id)).not.toContain(created.homepageId);
    expect(Number(created.id)).toBeGreaterThan(Math.max(...pages.map((candidate) => Number(candidate.id))));
  });

  it('keeps a blog post a blog post across a restart', async () => {
    const dir = tempDir();
    const state = createEmulatorState();
    const first = await startEmulator({ port: 0, state });
    const dev = createDevApiClient(first.url);
    const site = await dev.seedSite({ name: 'persisted-blog' });
    const auth = `Basic ${Buffer.from(`${site.admin.email}:${site.scopedToken}`).toString('base64')}`;
    const headers = { authorization: auth, 'content-type': 'application/json', accept: 'application/json' };
    const created = await fetch(`${site.gatewayUrl}/wiki/api/v2/blogposts`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        spaceId: site.space.id,
        title: 'Kept',
        body: { representation: 'storage', value: '<p/>' },
      }),
    });
    const { id } = (await created.json()) as { id: string };
    await first.close();
    saveEmulatorState(join(dir, 'world.json'), state);

    const loaded = loadEmulatorState(join(dir, 'world.json'));
    const second = await startEmulator({ port: 0, state: loaded.state });
    cleanups.push(() => second.close());
    const gateway = createDevApiClient(second.url).gatewayUrl(site.cloudId);
    expect((await fetch(`${gateway}/wiki/api/v2/blogposts/${id}`, { headers })).status).toBe(200);
    expect((await fetch(`${gateway}/wiki/api/v2/pages/${id}`, { headers })).status).toBe(404);
  });

  it('moves a file it cannot read aside and starts with an empty world', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'world.json'), '{"format": 1, "sites": "nope"');
    const loaded = loadEmulatorState(join(dir, 'world.json'));
    expect(loaded.kind).toBe('unreadable');
    expect(loaded.state.sitesByCloudId.size).toBe(0);
    expect(readdirSync(dir).some((name) => name.startsWith('world.json.unreadable-'))).toBe(true);
  });
});
