import { operations, problemSchema } from '@pagewire/shared';
import { UnsecuredJWT } from 'jose';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BackendExtension } from '../../backend';
import { createTestSigner, installationAri, type TestSigner } from '../../testing/forge-tokens';
import { startTestBackend, type TestBackend } from '../../testing/test-backend';

let t: TestBackend;
let signer: TestSigner;

beforeAll(async () => {
  signer = await createTestSigner();
});
beforeEach(async () => {
  t = await startTestBackend({ signer });
});
afterEach(async () => {
  await t.close();
});

const admin = { isSpaceAdmin: true };

function systemToken(expiresAt: Date, marker: string): string {
  return new UnsecuredJWT({ marker }).setExpirationTime(Math.floor(expiresAt.getTime() / 1000)).encode();
}

async function putBlock(key: string, ingestKey: string, body: Record<string, unknown>) {
  return t.http.put(`/ingest/v1/blocks/${key}`).set('authorization', `Bearer ${ingestKey}`).send(body);
}

/**
 * Publishes the `oncall` block in acme's ENG space, reads it from a macro with
 * `macro` as its context, and answers the read and where the block is placed.
 */
async function readOncallFromMacro(macro: Parameters<TestBackend['call']>[3]) {
  const tenant = t.tenant('acme');
  const { key } = await t.createIngestKey(tenant, 'ENG');
  await putBlock('oncall', key, { kind: 'markdown', title: 'On call', content: '**Ana**' });
  const response = await t.call(tenant, 'blocks.get', { key: 'oncall' }, macro);
  const placements = await t.backend.context.repositories.placements.listForBlock(
    tenant.installationId,
    'ENG',
    'oncall',
  );
  return { response, placements };
}

/**
 * A module that carries out the core's snapshot decisions by recording them:
 * which placements got a snapshot, and how many of those calls finished.
 */
function recordingScheduler(onPlacement: () => Promise<void> = async () => {}) {
  const recorder = {
    placements: [] as string[],
    finished: 0,
    extension: {
      name: 'recording-snapshots',
      setup: () => ({
        snapshots: {
          async snapshotPlacement(placement: { blockKey: string; contentId: string; localId: string }) {
            recorder.placements.push(`${placement.blockKey}@${placement.contentId}/${placement.localId}`);
            await onPlacement();
            recorder.finished += 1;
            return 1;
          },
          refreshBlock: async () => 0,
          refreshSpace: async () => 0,
        },
      }),
    } satisfies BackendExtension,
  };
  return recorder;
}

describe('lifecycle operations', () => {
  /** Forge's documented installed-event payload (https://developer.atlassian.com/platform/forge/events-reference/life-cycle/). */
  const installedEvent = (installationId: string, extra: Record<string, unknown> = {}) => ({
    id: installationId.slice(installationId.lastIndexOf('/') + 1),
    installerAccountId: 'admin-1',
    app: { id: '8db33809-1f32-48bb-8c52-5877dab48107', version: '2.0.0', name: 'Pagewire' },
    environment: { id: 'aa911f10-c54b-4b93-9e27-dd2947840b9e' },
    permissions: { scopes: ['read:page:confluence'] },
    ...extra,
  });
  const lifecycleFit = (tenant: ReturnType<TestBackend['tenant']>) =>
    t.functionFit(tenant, { moduleKey: 'backend-lifecycle' });

  it('records an installation straight from a Forge trigger, with its app system token', async () => {
    const tenant = t.tenant('acme');
    const token = systemToken(new Date(t.clock.now.getTime() + 2 * 3600_000), 'from-trigger');
    const response = await t.http
      .post('/forge/v1/lifecycle.installed')
      .set('authorization', `Bearer ${await lifecycleFit(tenant)}`)
      .set('x-forge-oauth-system', token)
      .send(installedEvent(tenant.installationId));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ data: { installationId: tenant.installationId } });
    expect(await t.backend.context.repositories.installations.find(tenant.installationId)).toMatchObject({
      cloudId: tenant.cloudId,
      siteUrl: null,
      apiBaseUrl: `https://api.atlassian.com/ex/confluence/${tenant.cloudId}`,
    });
    expect((await t.backend.context.credentialSources.appToken(tenant.installationId))?.token).toBe(token);
  });

  it('takes identity only from the signed token: an event body naming another site or installation changes nothing', async () => {
    const tenant = t.tenant('acme');
    expect((await t.call(tenant, 'lifecycle.installed', {}, { spaceKey: undefined })).status).toBe(200);
    const response = await t.http
      .post('/forge/v1/lifecycle.installed')
      .set('authorization', `Bearer ${await lifecycleFit(tenant)}`)
      .send(
        installedEvent('ari:cloud:ecosystem::installation/someone-else', {
          context: { cloudId: 'cloud-victim', siteUrl: 'https://attacker.example.com' },
        }),
      );
    expect(response.status).toBe(200);
    expect(response.body.data.installationId).toBe(tenant.installationId);
    expect(await t.backend.context.repositories.installations.find(tenant.installationId)).toMatchObject({
      cloudId: tenant.cloudId,
      siteUrl: tenant.siteUrl,
    });
  });

  it('answers Forge redeliveries of the same event alike and records the installation once (https://developer.atlassian.com/platform/forge/remote/sending-product-events/#handling-retries)', async () => {
    const tenant = t.tenant('acme');
    const deliveries = [undefined, 1, 2, 3, 4].map((retryCount) =>
      retryCount === undefined
        ? installedEvent(tenant.installationId)
        : installedEvent(tenant.installationId, {
            retryContext: { retryCount, retryReason: 'TIMEOUT_ERROR', retryData: null },
          }),
    );
    const installations = t.backend.context.repositories.installations;
    for (const body of deliveries) {
      const response = await t.http
        .post('/forge/v1/lifecycle.installed')
        .set('authorization', `Bearer ${await lifecycleFit(tenant)}`)
        .send(body);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ data: { installationId: tenant.installationId } });
      // Forge waits 60 s between attempts.
      t.clock.now = new Date(t.clock.now.getTime() + 60_000);
    }
    const recorded = await installations.find(tenant.installationId);
    expect(recorded?.updatedAt).toBe(recorded?.createdAt);
  });

  it('accepts the same operation from a resolver envelope', async () => {
    const tenant = t.tenant('acme');
    const response = await t.call(tenant, 'lifecycle.installed', {}, { spaceKey: undefined });
    expect(response.status).toBe(200);
    expect((await t.backend.context.repositories.installations.find(tenant.installationId))?.siteUrl).toBe(
      tenant.siteUrl,
    );
  });

  it('reports when the app token expires on a scheduled token refresh, keeping the newest delivered token', async () => {
    const tenant = t.tenant('acme');
    const later = new Date(t.clock.now.getTime() + 4 * 3600_000);
    const sooner = new Date(t.clock.now.getTime() + 2 * 3600_000);
    const refresh = async (token: string) =>
      t.http
        .post('/forge/v1/lifecycle.tokenRefresh')
        .set('authorization', `Bearer ${await t.functionFit(tenant, { moduleKey: 'backend-token-refresh' })}`)
        .set('x-forge-oauth-system', token)
        .send({ context: { cloudId: tenant.cloudId, moduleKey: 'pagewire-token-refresh' } });
    expect((await refresh(systemToken(later, 'later'))).body.data.appTokenExpiresAt).toBe(
      later.toISOString(),
    );
    const response = await refresh(systemToken(sooner, 'sooner'));
    expect(response.body).toEqual({
      data: { installationId: tenant.installationId, appTokenExpiresAt: sooner.toISOString() },
    });
  });

  it('answers a scheduled trigger that posts no body at all', async () => {
    const tenant = t.tenant('acme');
    const response = await t.http
      .post('/forge/v1/lifecycle.tokenRefresh')
      .set('authorization', `Bearer ${await t.functionFit(tenant)}`);
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ installationId: tenant.installationId, appTokenExpiresAt: null });
  });

  it('hands a system token on any operation to the store, not only on lifecycle calls', async () => {
    const tenant = t.tenant('acme');
    const token = systemToken(new Date(t.clock.now.getTime() + 3600_000), 'on-a-read');
    await t.http
      .post('/forge/v1/blocks.list')
      .set('authorization', `Bearer ${await t.functionFit(tenant)}`)
      .set('x-forge-oauth-system', token)
      .send({ context: t.contextFor(tenant), input: {} })
      .expect(200);
    expect((await t.backend.context.credentialSources.appToken(tenant.installationId))?.token).toBe(token);
  });
});

describe('block operations', () => {
  it('lists the space’s blocks and gets one with its staleness', async () => {
    const tenant = t.tenant('acme');
    const { key } = await t.createIngestKey(tenant, 'ENG', 'deploy-bot');
    await putBlock('deploys', key, {
      kind: 'status',
      title: 'Deploys',
      content: { status: 'Green', tone: 'success' },
    });

    const list = await t.call(tenant, 'blocks.list', {});
    expect(list.body.data.blocks).toEqual([
      {
        key: 'deploys',
        title: 'Deploys',
        kind: 'status',
        revision: 1,
        updatedAt: t.clock.now.toISOString(),
        source: 'deploy-bot',
      },
    ]);

    const fresh = await t.call(tenant, 'blocks.get', { key: 'deploys' });
    expect(fresh.status).toBe(200);
    expect(operations['blocks.get'].output.parse(fresh.body.data)).toMatchObject({
      block: { key: 'deploys', kind: 'status', content: { status: 'Green', tone: 'success' }, revision: 1 },
      stale: false,
      staleAfterMinutes: 60,
    });

    t.clock.now = new Date(t.clock.now.getTime() + 61 * 60_000);
    expect((await t.call(tenant, 'blocks.get', { key: 'deploys' })).body.data.stale).toBe(true);
  });

  it('records where a block is placed when the macro asks for it', async () => {
    const { response, placements } = await readOncallFromMacro({ contentId: '5341185', localId: 'macro-a' });
    expect(response.status).toBe(200);
    expect(placements).toMatchObject([{ contentId: '5341185', contentType: 'page', localId: 'macro-a' }]);
  });

  it('records that a placement is on a blog post when the macro context says so', async () => {
    const { response, placements } = await readOncallFromMacro({
      contentId: '2293761',
      contentType: 'blogpost',
      localId: 'macro-b',
    });
    expect(response.status).toBe(200);
    expect(placements).toMatchObject([{ contentId: '2293761', contentType: 'blogpost', localId: 'macro-b' }]);
  });

  it('tells the publishing engine about a placement the first time it is seen, not on every view', async () => {
    const recorder = recordingScheduler();
    await t.close();
    t = await startTestBackend({ signer, extensions: [recorder.extension] });
    const tenant = t.tenant('acme');
    const { key } = await t.createIngestKey(tenant, 'ENG');
    await putBlock('oncall', key, { kind: 'markdown', title: 'On call', content: '**Ana**' });
    const seen = recorder.placements;
    const view = (localId: string) =>
      t.call(tenant, 'blocks.get', { key: 'oncall' }, { contentId: '5341185', localId });

    await view('macro-a');
    await view('macro-a');
    await view('macro-b');
    await t.backend.settled();
    expect(seen).toEqual(['oncall@5341185/macro-a', 'oncall@5341185/macro-b']);

    // An hour later the sighting is refreshed, which also re-offers the placement.
    t.clock.now = new Date(t.clock.now.getTime() + 61 * 60_000);
    await view('macro-a');
    await t.backend.settled();
    expect(seen).toHaveLength(3);
  });

  it('answers the macro before the snapshot of a new placement is queued, and queues it after', async () => {
    let release!: () => void;
    const queued = new Promise<void>((resolve) => {
      release = resolve;
    });
    const recorder = recordingScheduler(() => queued);
    await t.close();
    t = await startTestBackend({ signer, extensions: [recorder.extension] });
    const tenant = t.tenant('acme');
    const { key } = await t.createIngestKey(tenant, 'ENG');
    await putBlock('oncall', key, { kind: 'markdown', title: 'On call', content: '**Ana**' });

    // The scheduler has not finished (it waits for `release`), yet the read answers.
    const response = await t.call(
      tenant,
      'blocks.get',
      { key: 'oncall' },
      { contentId: '5341185', localId: 'a' },
    );
    expect(response.status).toBe(200);
    expect(recorder.placements).toEqual(['oncall@5341185/a']);
    expect(recorder.finished).toBe(0);

    release();
    await t.backend.settled();
    expect(recorder.finished).toBe(1);
  });

  it('still answers the macro when queueing the new placement’s snapshot fails, and logs and counts the failure', async () => {
    const recorder = recordingScheduler(async () => {
      throw new Error('queue unavailable');
    });
    await t.close();
    t = await startTestBackend({ signer, extensions: [recorder.extension] });
    const tenant = t.tenant('acme');
    const { key } = await t.createIngestKey(tenant, 'ENG');
    await putBlock('oncall', key, { kind: 'markdown', title: 'On call', content: '**Ana**' });

    const response = await t.call(
      tenant,
      'blocks.get',
      { key: 'oncall' },
      { contentId: '5341185', localId: 'a' },
    );
    expect(response.status).toBe(200);
    await t.backend.settled();
    const failures = await t.backend.context.metrics.deferredWorkFailures.get();
    expect(failures.values).toEqual([
      expect.objectContaining({ labels: { work: 'snapshot_new_placement' }, value: 1 }),
    ]);
    expect(
      t.logs
        .lines()
        .some((line) => line.msg === 'deferred work failed' && line.work === 'snapshot_new_placement'),
    ).toBe(true);
  });

  it('answers an unknown block with 404 block_not_found', async () => {
    const response = await t.call(t.tenant('acme'), 'blocks.get', { key: 'nope' });
    expect(response.status).toBe(404);
    expect(problemSchema.parse(response.body).code).toBe('block_not_found');
  });

  it('adds the rendered ADF of a Markdown block when a renderer is wired', async () => {
    await t.close();
    t = await startTestBackend({
      signer,
      renderMarkdown: async (markdown) => ({
        version: 1,
        type: 'doc',
        content: [{ type: 'paragraph', content: [{ type: 'text', text: markdown.toUpperCase() }] }],
      }),
    });
    const tenant = t.tenant('acme');
    const { key } = await t.createIngestKey(tenant, 'ENG');
    await putBlock('notes', key, { kind: 'markdown', title: 'Notes', content: 'hello' });
    const response = await t.call(tenant, 'blocks.get', { key: 'notes' });
    expect(response.body.data.rendered.content[0].content[0].text).toBe('HELLO');
  });

  it('renders a Markdown block once per content, and renders it anew when it changes', async () => {
    await t.close();
    const rendered: string[] = [];
    t = await startTestBackend({
      signer,
      renderMarkdown: async (markdown) => {
        rendered.push(markdown);
        return {
          version: 1,
          type: 'doc',
          content: [{ type: 'paragraph', content: [{ type: 'text', text: markdown.toUpperCase() }] }],
        };
      },
    });
    const tenant = t.tenant('acme');
    const { key } = await t.createIngestKey(tenant, 'ENG');
    const textOf = async () =>
      (await t.call(tenant, 'blocks.get', { key: 'notes' })).body.data.rendered.content[0].content[0].text;

    await putBlock('notes', key, { kind: 'markdown', title: 'Notes', content: 'first' });
    expect(await textOf()).toBe('FIRST');
    expect(await textOf()).toBe('FIRST');
    await putBlock('notes', key, { kind: 'markdown', title: 'Notes', content: 'second' });
    expect(await textOf()).toBe('SECOND');
    expect(rendered).toEqual(['first', 'second']);
  });

  it('answers blocks.get within the contract for every kind of block', async () => {
    const tenant = t.tenant('acme');
    const { key } = await t.createIngestKey(tenant, 'ENG');
    const blocks: Record<string, Record<string, unknown>> = {
      status: {
        kind: 'status',
        title: 'Status',
        content: { status: 'Degraded', summary: 'API slow', components: [{ name: 'api', status: 'slow' }] },
      },
      table: {
        kind: 'table',
        title: 'Owners',
        content: { columns: [{ key: 'area', title: 'Area' }], rows: [{ area: 'search' }, { area: null }] },
      },
      metrics: {
        kind: 'metrics',
        title: 'KPIs',
        content: { metrics: [{ label: 'Uptime', value: 99.9, unit: '%', delta: -0.1, goodDirection: 'up' }] },
      },
      markdown: { kind: 'markdown', title: 'Notes', content: '## Notes\n\n- one' },
      adf: {
        kind: 'adf',
        title: 'Doc',
        content: {
          version: 1,
          type: 'doc',
          content: [{ type: 'paragraph', content: [{ type: 'text', text: 'hi' }] }],
        },
      },
    };
    for (const [blockKey, body] of Object.entries(blocks)) {
      expect((await putBlock(blockKey, key, body)).status).toBe(201);
      const response = await t.call(
        tenant,
        'blocks.get',
        { key: blockKey },
        { contentId: '1', localId: blockKey },
      );
      expect(response.status).toBe(200);
      const parsed = operations['blocks.get'].output.safeParse(response.body.data);
      expect(parsed.success, `${blockKey}: ${parsed.error?.message}`).toBe(true);
      // Exactly what the contract's parse gives: defaults were applied at ingest, nothing is left for the reader to fill in.
      expect(response.body.data).toEqual(parsed.data);
    }
  });

  it('shows the staleness threshold a space admin set', async () => {
    const tenant = t.tenant('acme');
    const { key } = await t.createIngestKey(tenant, 'ENG');
    await putBlock('deploys', key, { kind: 'status', title: 'Deploys', content: { status: 'Green' } });
    expect((await t.call(tenant, 'settings.update', { staleAfterMinutes: 5 }, admin)).status).toBe(200);
    t.clock.now = new Date(t.clock.now.getTime() + 6 * 60_000);
    const response = await t.call(tenant, 'blocks.get', { key: 'deploys' });
    expect(response.body.data).toMatchObject({ stale: true, staleAfterMinutes: 5 });
    // Another space of the same installation keeps the default.
    const other = await t.createIngestKey(tenant, 'OPS');
    await putBlock('deploys', other.key, { kind: 'status', title: 'Deploys', content: { status: 'Green' } });
    const elsewhere = await t.call(tenant, 'blocks.get', { key: 'deploys' }, { spaceKey: 'OPS' });
    expect(elsewhere.body.data).toMatchObject({ stale: false, staleAfterMinutes: 60 });
  });
});

describe('settings operations', () => {
  it('shows the settings view with what the caller may do, and never a secret', async () => {
    const tenant = t.tenant('acme');
    await t.createIngestKey(tenant, 'ENG', 'grafana');
    const response = await t.call(tenant, 'settings.get', {});
    expect(response.status).toBe(200);
    const view = operations['settings.get'].output.parse(response.body.data);
    expect(view).toMatchObject({
      space: { key: 'ENG', id: '98304' },
      mode: 'in-house',
      canEdit: false,
      settings: { publishingPolicy: 'live', staleAfterMinutes: 60 },
      appToken: { status: 'missing', expiresAt: null },
      apiToken: null,
    });
    expect(view.requiredApiTokenScopes.length).toBeGreaterThan(0);
    expect(view.ingestKeys).toHaveLength(1);
    expect(view.ingestKeys[0]?.prefix).toMatch(/^pwk_.{6}$/);
    expect(JSON.stringify(view)).not.toMatch(/pwk_[A-Za-z0-9_-]{43}/);
  });

  it('updates settings as an admin and writes the change to the activity log', async () => {
    const tenant = t.tenant('acme');
    const response = await t.call(tenant, 'settings.update', { publishingPolicy: 'snapshot' }, admin);
    expect(response.body.data.settings).toEqual({ publishingPolicy: 'snapshot', staleAfterMinutes: 60 });
    const activity = await t.call(tenant, 'activity.list', {});
    expect(activity.body.data.items[0]).toMatchObject({
      actor: { kind: 'user', id: 'user-1' },
      action: 'settings.updated',
      result: 'ok',
    });
  });

  it('refuses an empty or out-of-range settings change with field errors', async () => {
    const tenant = t.tenant('acme');
    const empty = await t.call(tenant, 'settings.update', {}, admin);
    expect(empty.status).toBe(400);
    const range = await t.call(tenant, 'settings.update', { staleAfterMinutes: 0 }, admin);
    expect(range.status).toBe(400);
    expect(range.body.errors).toEqual([{ path: '/staleAfterMinutes', message: 'must be at least 1 minute' }]);
    const fraction = await t.call(tenant, 'settings.update', { staleAfterMinutes: 1.5 }, admin);
    expect(fraction.body.errors[0].message).toBe('enter a whole number of minutes');
    const huge = await t.call(tenant, 'settings.update', { staleAfterMinutes: 50_000 }, admin);
    expect(huge.body.errors[0].message).toBe('must be at most 43,200 minutes (30 days)');
  });
});

describe('uninstall and reinstall (https://developer.atlassian.com/platform/forge/manifest-reference/modules/pre-uninstall-trigger/)', () => {
  const DAY = 24 * 3600_000;
  /** What Forge's pre-uninstall trigger POSTs: the site and the module, and an opaque context token. */
  const uninstall = async (tenant: ReturnType<TestBackend['tenant']>) =>
    t.http
      .post('/forge/v1/lifecycle.uninstalled')
      .set('authorization', `Bearer ${await t.functionFit(tenant, { moduleKey: 'backend-uninstall' })}`)
      .send({
        context: { cloudId: tenant.cloudId, moduleKey: 'pagewire-uninstall' },
        contextToken: 'opaque',
      });

  it('records the uninstall once, answers redeliveries alike, keeps the data for the grace period, then purges it', async () => {
    const tenant = t.tenant('leaving');
    const { key } = await t.createIngestKey(tenant, 'ENG');
    expect((await putBlock('status', key, { kind: 'markdown', title: 'S', content: 'x' })).status).toBe(201);
    const first = await uninstall(tenant);
    expect(first.status).toBe(200);
    expect(first.body.data).toEqual({
      installationId: tenant.installationId,
      purgeAfter: new Date(t.clock.now.getTime() + 30 * DAY).toISOString(),
    });
    t.clock.now = new Date(t.clock.now.getTime() + 60_000);
    expect((await uninstall(tenant)).body.data.purgeAfter).toBe(first.body.data.purgeAfter);

    const repositories = t.backend.context.repositories;
    const job = t.startInstallationPurge({ graceMs: 30 * DAY, intervalMs: 10 * DAY });
    try {
      t.clock.now = new Date(t.clock.now.getTime() + 29 * DAY);
      await job.runNow();
      expect(await repositories.installations.find(tenant.installationId)).not.toBeNull();
      expect(await repositories.blocks.find(tenant.installationId, 'ENG', 'status')).not.toBeNull();
      t.clock.now = new Date(t.clock.now.getTime() + 2 * DAY);
      await job.runNow();
      expect(await repositories.installations.find(tenant.installationId)).toBeNull();
      expect(await repositories.blocks.find(tenant.installationId, 'ENG', 'status')).toBeNull();
    } finally {
      await job.stop();
    }
  });

  it('gives a reinstall on the same site its spaces’ settings back', async () => {
    const before = t.tenant('moving');
    const updated = await t.call(
      before,
      'settings.update',
      { staleAfterMinutes: 31, publishingPolicy: 'snapshot' },
      admin,
    );
    expect(updated.status).toBe(200);
    expect((await uninstall(before)).status).toBe(200);
    const after = { ...before, installationId: installationAri('00000000-0000-4000-8000-00000000beef') };
    const installed = await t.http
      .post('/forge/v1/lifecycle.installed')
      .set('authorization', `Bearer ${await t.functionFit(after, { moduleKey: 'backend-lifecycle' })}`)
      .send({ id: '00000000-0000-4000-8000-00000000beef', app: { id: 'x', version: '3.0.0' } });
    expect(installed.status).toBe(200);
    const view = await t.call(after, 'settings.get', {});
    expect(view.body.data.settings).toMatchObject({ staleAfterMinutes: 31, publishingPolicy: 'snapshot' });
  });
});

describe('API token operations', () => {
  const input = {
    email: 'svc@serviceaccount.atlassian.com',
    token: 'ATATT3xFfGF0-a-scoped-token-123',
    expiresAt: '2027-06-30',
  };

  it('verifies and saves a token, then shows only its metadata', async () => {
    const tenant = t.tenant('acme');
    const set = await t.call(tenant, 'apiToken.set', input, admin);
    expect(set.status).toBe(200);
    expect(set.body.data).toMatchObject({ saved: true, health: { status: 'ok', missingScopes: [] } });
    const view = await t.call(tenant, 'settings.get', {});
    expect(view.body.data.apiToken).toMatchObject({
      email: input.email,
      expiresAt: '2027-06-30',
      lastUsedAt: null,
    });
    expect(JSON.stringify(view.body)).not.toContain(input.token);
  });

  it('checks a token for a site outside atlassian.net, as Atlassian reported it (the jira-dev.com site of https://developer.atlassian.com/platform/forge/remote/essentials/)', async () => {
    const tenant = t.tenant('custom');
    const set = await t.call(tenant, 'apiToken.set', input, {
      ...admin,
      siteUrl: 'https://pbray2.jira-dev.com',
    });
    expect(set.status).toBe(200);
    expect(set.body.data).toMatchObject({ saved: true });
    // The check is what proves the site belongs to the cloud id (tenant_info), before the token is sent.
    expect(t.health.calls.at(-1)).toMatchObject({
      siteUrl: 'https://pbray2.jira-dev.com',
      cloudId: tenant.cloudId,
    });
  });

  it('answers saved:false with the health when verification fails', async () => {
    const tenant = t.tenant('acme');
    t.health.answer(input.token, 'wrong_base_url');
    const set = await t.call(tenant, 'apiToken.set', input, admin);
    expect(set.status).toBe(200);
    expect(set.body.data).toMatchObject({ saved: false, health: { status: 'wrong_base_url' } });
  });

  it('refuses an expiry date in the past or more than a year away', async () => {
    const tenant = t.tenant('acme');
    for (const expiresAt of ['2026-11-28', '2026-01-01', '2028-01-15']) {
      const response = await t.call(tenant, 'apiToken.set', { ...input, expiresAt }, admin);
      expect(response.status).toBe(400);
      expect(response.body.errors).toMatchObject([{ path: '/expiresAt' }]);
    }
    expect(t.health.calls).toHaveLength(0);
  });

  it('is a 403 api_tokens_disabled in marketplace mode, and settings hide it', async () => {
    await t.close();
    t = await startTestBackend({ signer, mode: 'marketplace' });
    const tenant = t.tenant('acme');
    const response = await t.call(tenant, 'apiToken.set', input, admin);
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('api_tokens_disabled');
    expect((await t.call(tenant, 'apiToken.remove', {}, admin)).body.code).toBe('api_tokens_disabled');
    const view = await t.call(tenant, 'settings.get', {});
    expect(view.body.data).toMatchObject({ mode: 'marketplace', apiToken: null, requiredApiTokenScopes: [] });
  });

  it('removes the token', async () => {
    const tenant = t.tenant('acme');
    await t.call(tenant, 'apiToken.set', input, admin);
    expect((await t.call(tenant, 'apiToken.remove', {}, admin)).body.data).toEqual({ removed: true });
    expect((await t.call(tenant, 'apiToken.remove', {}, admin)).body.data).toEqual({ removed: false });
  });
});

describe('ingest key operations', () => {
  it('shows a new key once, stores only its hash, and revokes it', async () => {
    const tenant = t.tenant('acme');
    const created = await t.call(tenant, 'ingestKeys.create', { source: 'CI pipeline' }, admin);
    expect(created.body.data).toMatchObject({ source: 'CI pipeline', key: expect.stringMatching(/^pwk_/) });
    const { id, key } = created.body.data as { id: string; key: string };
    const listed = await t.call(tenant, 'settings.get', {});
    expect(JSON.stringify(listed.body)).not.toContain(key);

    const revoked = await t.call(tenant, 'ingestKeys.revoke', { id }, admin);
    expect(revoked.body).toEqual({ data: { revoked: true } });
    // Revoked, its name is free again.
    expect((await t.call(tenant, 'ingestKeys.create', { source: 'CI pipeline' }, admin)).status).toBe(200);
    const again = await t.call(tenant, 'ingestKeys.revoke', { id }, admin);
    expect(again.body).toEqual({ data: { revoked: true } });
    const missing = await t.call(tenant, 'ingestKeys.revoke', { id: 'no-such-key' }, admin);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('ingest_key_not_found');
  });
});

describe('source names', () => {
  it('refuses a second live key under a source name already in use, in any letter case, with 409', async () => {
    const tenant = t.tenant('acme');
    expect((await t.call(tenant, 'ingestKeys.create', { source: 'nightly-report' }, admin)).status).toBe(200);
    const again = await t.call(tenant, 'ingestKeys.create', { source: 'Nightly-Report' }, admin);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('source_name_taken');
    expect(again.body.errors).toEqual([
      { path: '/source', message: 'another source in this space already has this name' },
    ]);
    // Another space may use the name.
    const elsewhere = await t.call(
      tenant,
      'ingestKeys.create',
      { source: 'nightly-report' },
      { ...admin, spaceKey: 'OPS', spaceId: '2' },
    );
    expect(elsewhere.status).toBe(200);
  });
});

describe('the activity log', () => {
  it('filters by kind and by source, and folds a source’s repeated writes into one row with a count', async () => {
    const tenant = t.tenant('filters');
    const { key } = await t.createIngestKey(tenant, 'ENG', 'chatty');
    for (let write = 1; write <= 6; write++) {
      await t.http
        .put('/ingest/v1/blocks/noisy')
        .set('authorization', `Bearer ${key}`)
        .send({ kind: 'markdown', title: 'Noisy', content: `write ${write}` });
    }
    await t.call(tenant, 'settings.update', { staleAfterMinutes: 15 }, admin);

    const all = await t.call(tenant, 'activity.list', { limit: 10 });
    expect(
      all.body.data.items.map((item: { action: string; count?: number }) => [item.action, item.count ?? 1]),
    ).toEqual([
      ['settings.updated', 1],
      ['block.updated', 6],
      ['ingest_key.created', 1],
    ]);

    const adminOnly = await t.call(tenant, 'activity.list', { kind: 'admin' });
    expect(adminOnly.body.data.items.map((item: { action: string }) => item.action)).toEqual([
      'settings.updated',
      'ingest_key.created',
    ]);
    const publishing = await t.call(tenant, 'activity.list', { kind: 'publishing' });
    expect(publishing.body.data.items).toHaveLength(1);
    expect((await t.call(tenant, 'activity.list', { kind: 'errors' })).body.data.items).toEqual([]);
    expect((await t.call(tenant, 'activity.list', { kind: 'export' })).body.data.items).toEqual([]);
    await t.backend.context.repositories.activity.append({
      installationId: tenant.installationId,
      spaceKey: 'ENG',
      actor: { kind: 'system', id: 'pagewire' },
      action: 'export.synced',
      result: 'ok',
      detail: '6 pages mirrored',
      at: new Date(),
    });
    const exportOnly = await t.call(tenant, 'activity.list', { kind: 'export' });
    expect(exportOnly.body.data.items).toMatchObject([
      { action: 'export.synced', detail: '6 pages mirrored' },
    ]);
    const bySource = await t.call(tenant, 'activity.list', { source: 'chatty' });
    expect(bySource.body.data.items).toMatchObject([{ action: 'block.updated', count: 6 }]);
    expect((await t.call(tenant, 'activity.list', { source: 'someone-else' })).body.data.items).toEqual([]);
    // An audit export (or a benchmark timing each write) asks for every row as recorded.
    const unfolded = await t.call(tenant, 'activity.list', { source: 'chatty', fold: false, limit: 10 });
    expect(
      unfolded.body.data.items.map((item: { action: string; count?: number }) => [item.action, item.count]),
    ).toEqual(Array.from({ length: 6 }, () => ['block.updated', undefined]));
  });

  it('pages with a cursor, newest first', async () => {
    const tenant = t.tenant('acme');
    for (const minutes of [1, 2, 3]) {
      await t.call(tenant, 'settings.update', { staleAfterMinutes: minutes }, admin);
    }
    const first = await t.call(tenant, 'activity.list', { limit: 2 });
    expect(first.body.data.items).toHaveLength(2);
    expect(first.body.data.items[0].detail).toBe(
      'Settings changed: blocks are marked stale after 3 minutes.',
    );
    const second = await t.call(tenant, 'activity.list', { limit: 2, cursor: first.body.data.nextCursor });
    expect(second.body.data.items.map((item: { detail: string }) => item.detail)).toEqual([
      'Settings changed: blocks are marked stale after 1 minute.',
    ]);
    expect(second.body.data.nextCursor).toBeNull();
  });

  it('refuses a cursor it did not hand out', async () => {
    const response = await t.call(t.tenant('acme'), 'activity.list', { cursor: 'made-up' });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      { path: '/cursor', message: 'is not a cursor from a previous page' },
    ]);
  });
});
