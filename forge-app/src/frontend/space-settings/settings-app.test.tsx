import type { ActivityItem, SettingsView } from '@pagewire/shared';
import { describe, expect, it } from 'vitest';
import {
  act,
  byTestId,
  byType,
  type ForgeDoc,
  findAll,
  type RenderedApp,
  renderWithStubBridge,
  textOf,
} from '../../../test/support/ui-kit-harness';
import { SpaceSettingsApp } from './settings-app';

const NOW = new Date('2026-11-28T10:00:00Z');

const context = {
  moduleKey: 'pagewire-space-settings',
  extension: { type: 'confluence:spaceSettings', space: { id: '98306', key: 'ENG' } },
};

function settingsView(overrides: Partial<SettingsView> = {}): SettingsView {
  return {
    space: { key: 'ENG', id: '98306' },
    mode: 'in-house',
    canEdit: true,
    settings: { publishingPolicy: 'live', staleAfterMinutes: 60 },
    appToken: { status: 'ok', expiresAt: '2026-11-28T12:30:00Z' },
    apiToken: {
      email: 'pagewire@serviceaccount.atlassian.com',
      expiresAt: '2027-01-31',
      health: { status: 'ok', missingScopes: [], checkedAt: '2026-11-28T09:00:00Z' },
      lastUsedAt: '2026-11-28T09:55:00Z',
      expiryWarning: null,
    },
    requiredApiTokenScopes: ['read:page:confluence', 'write:page:confluence', 'read:space:confluence'],
    ingestUrl: 'https://pagewire.example.com',
    export: {
      settings: { enabled: false, includeRestricted: false },
      keys: [],
      sync: { state: 'off', lastFullSyncAt: null, nextSyncAt: null, pages: 0, lastError: null },
      exportUrl: null,
    },
    ingestKeys: [
      {
        id: 'key-1',
        source: 'ci',
        prefix: 'pwk_Ab3d',
        createdAt: '2026-11-20T08:00:00Z',
        createdBy: '557058:f0c3a0b1-admin',
        lastUsedAt: '2026-11-28T09:57:00Z',
        revokedAt: null,
      },
      {
        id: 'key-0',
        source: 'old-cron',
        prefix: 'pwk_Zz9y',
        createdAt: '2026-10-01T08:00:00Z',
        createdBy: '557058:f0c3a0b1-admin',
        lastUsedAt: null,
        revokedAt: '2026-11-01T08:00:00Z',
      },
    ],
    ...overrides,
  };
}

const activityItem = (id: string, overrides: Partial<ActivityItem> = {}): ActivityItem => ({
  id,
  at: '2026-11-28T09:50:00Z',
  actor: { kind: 'source', id: 'ci' },
  action: 'block.updated',
  result: 'ok',
  detail: 'deploy-status revision 4',
  ...overrides,
});

type Answer = (payload: unknown) => unknown;

/** A fake settings resolver: one answer per operation, each call recorded by the harness. */
function renderSettings(answers: Record<string, Answer>) {
  return renderWithStubBridge(<SpaceSettingsApp now={() => NOW} />, {
    context,
    resolve: (functionKey, payload) => {
      const answer = answers[functionKey] ?? defaultAnswers[functionKey];
      if (!answer) throw new Error(`unexpected invoke ${functionKey}`);
      return answer(payload);
    },
  });
}

const ok = (data: unknown) => () => ({ ok: true, data });
const noActivity = ok({ items: [], nextCursor: null });
/** Tabs that load on their own answer this unless a test says otherwise. */
const defaultAnswers: Record<string, Answer> = {
  'blocks.overview': ok({ blocks: [] }),
  'pages.list': ok({ pages: [] }),
  'webhooks.list': ok({ subscriptions: [] }),
};

const tabsShown = (tree: ForgeDoc) => byType(tree, 'Tabs').length > 0;
const ACTIVITY_PANEL = 6;

function panel(tree: ForgeDoc, index: number): ForgeDoc {
  const panels = byType(tree, 'TabPanel');
  const found = panels[index];
  if (!found) throw new Error(`no tab panel ${index}`);
  return found;
}

function button(tree: ForgeDoc, label: string): ForgeDoc | undefined {
  return findAll(
    tree,
    (node) => (node.type === 'Button' || node.type === 'LoadingButton') && textOf(node) === label,
  )[0];
}

function field(tree: ForgeDoc, id: string): ForgeDoc | undefined {
  return findAll(tree, (node) => String(node.props.id ?? '').endsWith(id))[0];
}

function invocationsOf(app: RenderedApp, key: string) {
  return app.invocations.filter((call) => call.functionKey === key);
}

/** The Activity tab's own log calls (the Export tab loads its export rows too). */
function activityTabCalls(app: RenderedApp) {
  return invocationsOf(app, 'activity.list').filter(
    (call) => (call.payload as { kind?: string }).kind !== 'export',
  );
}

/**
 * Waits until a change has reloaded the settings and the activity log. The
 * harness has one bridge per test file, so a test must not end while its app
 * still has calls to make, or the next test would answer them.
 */
/** Fills the API token form as an admin does (this email, a token, an expiry) and sends it. */
async function submitToken(app: RenderedApp, tree: ForgeDoc, email: string) {
  act(field(tree, 'pagewire-token-email'), 'onChange', { target: { value: email } });
  act(field(tree, 'pagewire-token-secret'), 'onChange', { target: { value: 'ATATT3xFfGF0T0k3nV4lu3' } });
  act(field(tree, 'pagewire-token-expiry'), 'onChange', '2027-01-31');
  await app.waitFor(
    (node) => button(node, 'Verify and save')?.props.isDisabled === false,
    'the form to fill',
  );
  act(button(app.tree(), 'Verify and save'), 'onClick');
}

function reloaded(app: RenderedApp) {
  return app.waitFor(
    () => invocationsOf(app, 'settings.get').length === 2 && activityTabCalls(app).length === 2,
    'the settings and the activity log to reload',
  );
}

describe('the space settings page', () => {
  it('shows a skeleton while the settings load', async () => {
    const app = renderSettings({ 'settings.get': () => new Promise(() => {}) });

    const tree = await app.waitFor(
      (node) => app.invocations.length > 0 && !!byTestId(node, 'pagewire-loading'),
      'the skeleton',
    );

    expect(byType(tree, 'Heading').map(textOf)).toEqual(['Pagewire']);
    expect(byType(tree, 'Tabs')).toHaveLength(0);
  });

  it('explains a failure to load and loads again on request', async () => {
    let calls = 0;
    const app = renderSettings({
      'settings.get': () => {
        calls += 1;
        return calls === 1
          ? {
              ok: false,
              error: { code: 'backend_timeout', message: 'Pagewire’s service did not answer in time.' },
            }
          : { ok: true, data: settingsView() };
      },
      'activity.list': noActivity,
    });

    const failed = await app.waitFor((node) => !!byTestId(node, 'pagewire-error'), 'the error');
    expect(byTestId(failed, 'pagewire-error')?.props.title).toBe('Pagewire’s settings could not be loaded');
    act(button(failed, 'Try again'), 'onClick');

    await app.waitFor(tabsShown, 'the settings');
  });

  it('gives an admin seven tabs, with the connection first', async () => {
    const app = renderSettings({ 'settings.get': ok(settingsView()), 'activity.list': noActivity });

    const tree = await app.waitFor(tabsShown, 'the settings');

    expect(byType(tree, 'Tab').map(textOf)).toEqual([
      'Connection',
      'Sources & ingest keys',
      'Publishing policy',
      'Blocks',
      'Pages',
      'Export',
      'Activity',
    ]);
    expect(byTestId(tree, 'pagewire-read-only')).toBeUndefined();
    expect(app.invocations[0]).toEqual({ functionKey: 'settings.get', payload: {} });
  });
});

describe('the Connection tab', () => {
  it('shows the app’s own access and the API token’s health', async () => {
    const app = renderSettings({ 'settings.get': ok(settingsView()), 'activity.list': noActivity });

    const tree = await app.waitFor(tabsShown, 'the settings');

    const appToken = byTestId(tree, 'pagewire-app-token')!;
    expect(byType(appToken, 'Lozenge').map((node) => [textOf(node), node.props.appearance])).toEqual([
      ['Connected', 'success'],
    ]);
    expect(textOf(appToken)).toContain('Current token valid until 28 Nov 2026, 12:30 UTC');
    const status = byTestId(tree, 'pagewire-api-token-status')!;
    expect(textOf(status)).toContain('pagewire@serviceaccount.atlassian.com');
    expect(byType(status, 'Lozenge').map(textOf)).toEqual(['Working']);
    expect(textOf(status)).toContain('Expires on 31 Jan 2027');
  });

  it('never shows "Connected" for an app token Confluence refused, nor "Working" for a token that cannot be read', async () => {
    const view = settingsView({ appToken: { status: 'refused', expiresAt: '2026-11-28T12:30:00Z' } });
    view.apiToken = view.apiToken && {
      ...view.apiToken,
      health: {
        status: 'undecryptable',
        missingScopes: [],
        checkedAt: NOW.toISOString(),
        detail:
          'The master key changed: set PAGEWIRE_PREVIOUS_MASTER_KEYS to the old key, or re-enter the token.',
      },
    };
    const app = renderSettings({ 'settings.get': ok(view), 'activity.list': noActivity });
    const tree = await app.waitFor(tabsShown, 'the settings');
    const appToken = byTestId(tree, 'pagewire-app-token')!;
    expect(byType(appToken, 'Lozenge').map(textOf)).toEqual(['Refused by Confluence']);
    expect(textOf(appToken)).not.toContain('valid until');
    const status = byTestId(tree, 'pagewire-api-token-status')!;
    expect(byType(status, 'Lozenge').map(textOf)).toEqual(['Cannot be read']);
    expect(textOf(status)).toContain('PAGEWIRE_PREVIOUS_MASTER_KEYS');
  });

  it('lists exactly the scopes to tick when creating the token', async () => {
    const app = renderSettings({ 'settings.get': ok(settingsView()), 'activity.list': noActivity });

    const tree = await app.waitFor(tabsShown, 'the settings');

    const scopes = byTestId(tree, 'pagewire-required-scopes')!;
    expect(byType(scopes, 'ListItem').map(textOf)).toEqual([
      'read:page:confluence',
      'write:page:confluence',
      'read:space:confluence',
    ]);
    expect(textOf(scopes)).toContain('Create API token with scopes');
  });

  it('warns before the API token expires and names the scopes it lacks', async () => {
    const app = renderSettings({
      'settings.get': ok(
        settingsView({
          apiToken: {
            email: 'pagewire@serviceaccount.atlassian.com',
            expiresAt: '2026-12-05',
            health: {
              status: 'missing_scopes',
              missingScopes: ['write:page:confluence'],
              checkedAt: '2026-11-28T09:00:00Z',
              detail: 'Confluence refused a page update: scope does not match.',
            },
            lastUsedAt: null,
            expiryWarning: { level: '7_days', daysLeft: 7 },
          },
        }),
      ),
      'activity.list': noActivity,
    });

    const tree = await app.waitFor(tabsShown, 'the settings');

    const status = byTestId(tree, 'pagewire-api-token-status')!;
    expect(byType(status, 'Lozenge').map((node) => [textOf(node), node.props.appearance])).toEqual([
      ['Missing scopes', 'removed'],
    ]);
    expect(byType(status, 'ListItem').map(textOf)).toEqual(['write:page:confluence']);
    const warning = byType(status, 'SectionMessage')[0];
    expect(warning?.props).toMatchObject({
      appearance: 'warning',
      title: 'This API token expires in 7 days',
    });
  });

  it('hides everything about API tokens in a Marketplace deployment', async () => {
    const app = renderSettings({
      'settings.get': ok(settingsView({ mode: 'marketplace', apiToken: null })),
      'activity.list': noActivity,
    });

    const tree = await app.waitFor(tabsShown, 'the settings');

    expect(byTestId(tree, 'pagewire-app-token')).toBeDefined();
    expect(byTestId(tree, 'pagewire-api-token')).toBeUndefined();
    expect(textOf(tree)).not.toMatch(/API token/);
  });

  it('verifies and saves a token, then forgets the secret and reloads', async () => {
    const app = renderSettings({
      'settings.get': ok(settingsView({ apiToken: null })),
      'apiToken.set': ok({
        saved: true,
        health: { status: 'ok', missingScopes: [], checkedAt: NOW.toISOString() },
      }),
      'activity.list': noActivity,
    });
    const tree = await app.waitFor(tabsShown, 'the settings');

    await submitToken(app, tree, ' pagewire@serviceaccount.atlassian.com ');

    await reloaded(app);
    expect(invocationsOf(app, 'apiToken.set').map((call) => call.payload)).toEqual([
      {
        email: 'pagewire@serviceaccount.atlassian.com',
        token: 'ATATT3xFfGF0T0k3nV4lu3',
        expiresAt: '2027-01-31',
      },
    ]);
    expect(field(app.tree(), 'pagewire-token-secret')?.props.value).toBe('');
    expect(app.flags.map((flag) => flag.title)).toEqual(['API token verified and saved']);
  });

  it('reports why Confluence refused a token, and keeps the old one', async () => {
    const app = renderSettings({
      'settings.get': ok(settingsView()),
      'apiToken.set': ok({
        saved: false,
        health: {
          status: 'wrong_base_url',
          missingScopes: [],
          checkedAt: NOW.toISOString(),
          detail: 'Scoped tokens work only through api.atlassian.com.',
        },
      }),
      'activity.list': noActivity,
    });
    const tree = await app.waitFor(tabsShown, 'the settings');

    await submitToken(app, tree, 'svc@acme.dev');

    const after = await app.waitFor((node) => !!byTestId(node, 'pagewire-token-rejected'), 'the refusal');
    const refusal = byTestId(after, 'pagewire-token-rejected')!;
    expect(refusal.props).toMatchObject({
      appearance: 'error',
      title: 'Confluence did not accept this token',
    });
    expect(textOf(refusal)).toContain('Scoped tokens work only through api.atlassian.com.');
    expect(textOf(refusal)).toContain('stays in use');
    expect(app.flags).toHaveLength(0);
  });

  it('shows each invalid field’s message next to it', async () => {
    const app = renderSettings({
      'settings.get': ok(settingsView()),
      'apiToken.set': () => ({
        ok: false,
        error: {
          code: 'validation_failed',
          message: 'Some of the values are not valid.',
          fieldErrors: [{ path: '/email', message: 'Invalid email address' }],
        },
      }),
      'activity.list': noActivity,
    });
    const tree = await app.waitFor(tabsShown, 'the settings');

    await submitToken(app, tree, 'svc');

    const after = await app.waitFor((node) => byType(node, 'ErrorMessage').length > 0, 'the field error');
    expect(byType(after, 'ErrorMessage').map(textOf)).toEqual(['Invalid email address']);
    expect(field(after, 'pagewire-token-email')?.props.isInvalid).toBe(true);
    expect(byTestId(byTestId(after, 'pagewire-api-token-form')!, 'pagewire-error')).toBeUndefined();
  });

  it('asks before removing the token', async () => {
    const app = renderSettings({
      'settings.get': ok(settingsView()),
      'apiToken.remove': ok({ removed: true }),
      'activity.list': noActivity,
    });
    const tree = await app.waitFor(tabsShown, 'the settings');

    act(button(tree, 'Remove the token'), 'onClick');
    const asking = await app.waitFor((node) => !!byTestId(node, 'pagewire-confirm'), 'the confirmation');
    expect(invocationsOf(app, 'apiToken.remove')).toHaveLength(0);
    expect(textOf(byTestId(asking, 'pagewire-confirm')!)).toContain('Remove the API token?');
    act(button(asking, 'Remove'), 'onClick');

    await reloaded(app);
    expect(invocationsOf(app, 'apiToken.remove')).toEqual([{ functionKey: 'apiToken.remove', payload: {} }]);
    expect(app.flags[0]?.title).toBe('API token removed');
  });
});

describe('the Sources & ingest keys tab', () => {
  it('lists keys by source with a recognisable prefix and their state, never the key', async () => {
    const app = renderSettings({ 'settings.get': ok(settingsView()), 'activity.list': noActivity });

    const tree = await app.waitFor(tabsShown, 'the settings');

    const table = byType(panel(tree, 1), 'DynamicTable')[0]!;
    const rows = table.children[1]!.children;
    expect(rows.map((row) => textOf(row.children[0]!))).toEqual(['ci', 'old-cron']);
    expect(rows.map((row) => textOf(row.children[1]!))).toEqual(['pwk_Ab3d…', 'pwk_Zz9y…']);
    expect(rows.map((row) => textOf(row.children[3]!))).toEqual(['3 min ago', 'Never']);
    expect(rows.map((row) => textOf(row.children[4]!))).toEqual(['Active', 'Revoked 1 Nov 2026']);
    expect(byType(rows[0]!, 'User')[0]?.props.accountId).toBe('557058:f0c3a0b1-admin');
    expect(rows.map((row) => byType(row, 'Button').map(textOf))).toEqual([['Revoke'], []]);
  });

  it('creates a key and shows its secret once, with how to keep it', async () => {
    const app = renderSettings({
      'settings.get': ok(settingsView()),
      'ingestKeys.create': ok({
        id: 'key-2',
        source: 'pager',
        key: 'pwk_S3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3t1',
      }),
      'activity.list': noActivity,
    });
    const tree = await app.waitFor(tabsShown, 'the settings');

    act(field(tree, 'pagewire-source-name'), 'onChange', { target: { value: 'pager' } });
    await app.waitFor((node) => button(node, 'Create ingest key')?.props.isDisabled === false, 'the name');
    act(button(app.tree(), 'Create ingest key'), 'onClick');

    const shown = await app.waitFor((node) => !!byTestId(node, 'pagewire-new-key'), 'the new key');
    const message = byTestId(shown, 'pagewire-new-key')!;
    expect(message.props).toMatchObject({ appearance: 'success', title: 'Ingest key for “pager” created' });
    const keyField = field(message, 'pagewire-new-key-value')!;
    expect(keyField.props).toMatchObject({
      value: 'pwk_S3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3t1',
      isReadOnly: true,
    });
    expect(String(field(message, 'pagewire-new-key-curl')?.props.value)).toContain(
      'curl -X PUT "https://pagewire.example.com/ingest/v1/blocks/hello" -H "Authorization: Bearer pwk_S3cr3t',
    );
    expect(textOf(message)).toContain('this is the only time Pagewire shows it');
    expect(invocationsOf(app, 'ingestKeys.create').map((call) => call.payload)).toEqual([
      { source: 'pager' },
    ]);

    await reloaded(app);
    act(button(message, 'I have copied the key'), 'onClick');
    const after = await app.waitFor((node) => !byTestId(node, 'pagewire-new-key'), 'the key to disappear');
    expect(textOf(after)).not.toContain('pwk_S3cr3t');
  });

  it('revokes a key only after confirmation', async () => {
    const app = renderSettings({
      'settings.get': ok(settingsView()),
      'ingestKeys.revoke': ok({ revoked: true }),
      'activity.list': noActivity,
    });
    const tree = await app.waitFor(tabsShown, 'the settings');

    act(button(panel(tree, 1), 'Revoke'), 'onClick');
    const asking = await app.waitFor((node) => !!byTestId(node, 'pagewire-confirm'), 'the confirmation');
    expect(textOf(byTestId(asking, 'pagewire-confirm')!)).toContain('Revoke the key for “ci”?');
    expect(invocationsOf(app, 'ingestKeys.revoke')).toHaveLength(0);
    act(button(byTestId(asking, 'pagewire-confirm')!, 'Revoke'), 'onClick');

    await app.waitFor(() => app.flags.length > 0, 'the flag');
    expect(invocationsOf(app, 'ingestKeys.revoke').map((call) => call.payload)).toEqual([{ id: 'key-1' }]);
    expect(app.flags[0]?.title).toBe('Key for “ci” revoked');
  });

  it('says how sources start when there are none', async () => {
    const app = renderSettings({
      'settings.get': ok(settingsView({ ingestKeys: [] })),
      'activity.list': noActivity,
    });

    const tree = await app.waitFor(tabsShown, 'the settings');

    expect(byTestId(tree, 'pagewire-no-keys')?.props).toMatchObject({
      header: 'No sources yet',
      description: 'Add a source above to get its ingest key.',
    });
  });
});

describe('the Publishing policy tab', () => {
  it('saves only what changed and confirms it', async () => {
    const app = renderSettings({
      'settings.get': ok(settingsView()),
      'settings.update': ok({ settings: { publishingPolicy: 'snapshot', staleAfterMinutes: 60 } }),
      'activity.list': noActivity,
    });
    const tree = await app.waitFor(tabsShown, 'the settings');
    const policy = byTestId(tree, 'pagewire-policy')!;
    expect(byType(policy, 'RadioGroup')[0]?.props).toMatchObject({ value: 'live', isDisabled: false });
    expect(button(policy, 'Save')?.props.isDisabled).toBe(true);

    act(byType(policy, 'RadioGroup')[0], 'onChange', { target: { value: 'snapshot' } });
    await app.waitFor(
      (node) => button(byTestId(node, 'pagewire-policy')!, 'Save')?.props.isDisabled === false,
      'a change',
    );
    act(button(byTestId(app.tree(), 'pagewire-policy')!, 'Save'), 'onClick');

    await app.waitFor(() => app.flags.length > 0, 'the flag');
    expect(invocationsOf(app, 'settings.update').map((call) => call.payload)).toEqual([
      { publishingPolicy: 'snapshot' },
    ]);
    expect(app.flags[0]?.title).toBe('Publishing policy saved');
  });
});

describe('the Activity tab', () => {
  it('shows who did what, newest first, and pages back through older entries', async () => {
    const app = renderSettings({
      'settings.get': ok(settingsView()),
      'activity.list': (payload) =>
        (payload as { cursor?: string }).cursor === 'page-2'
          ? {
              ok: true,
              data: { items: [activityItem('a3', { at: '2026-11-27T10:00:00Z' })], nextCursor: null },
            }
          : {
              ok: true,
              data: {
                items: [
                  activityItem('a1'),
                  activityItem('a2', {
                    actor: { kind: 'user', id: '557058:f0c3a0b1-admin' },
                    action: 'ingest_key.created',
                    detail: 'source ci',
                    at: '2026-11-28T08:00:00Z',
                  }),
                ],
                nextCursor: 'page-2',
              },
            },
    });
    // The Activity tab's own log (the Export tab shows its export rows with the same component).
    const log = (node: ForgeDoc) => byTestId(panel(node, ACTIVITY_PANEL), 'pagewire-activity');
    const tree = await app.waitFor((node) => tabsShown(node) && !!log(node), 'the log');

    const rowsOf = (node: ForgeDoc) => byType(log(node)!, 'Row');
    expect(rowsOf(tree).map((row) => row.children.map(textOf))).toEqual([
      ['10 min ago', 'Source “ci”', 'Updated a block', 'Done', 'deploy-status revision 4'],
      ['2 hours ago', '', 'Created an ingest key', 'Done', 'source ci'],
    ]);
    expect(byType(rowsOf(tree)[1]!, 'User')[0]?.props.accountId).toBe('557058:f0c3a0b1-admin');
    expect(activityTabCalls(app)[0]?.payload).toEqual({ limit: 20 });

    act(button(log(tree)!, 'Show older activity'), 'onClick');

    const more = await app.waitFor((node) => rowsOf(node).length === 3, 'the older page');
    expect(activityTabCalls(app)[1]?.payload).toEqual({ cursor: 'page-2', limit: 20 });
    expect(textOf(rowsOf(more)[2]!.children[0]!)).toBe('yesterday');
    expect(button(log(more)!, 'Show older activity')).toBeUndefined();
  });

  it('says so when nothing has happened yet', async () => {
    const app = renderSettings({ 'settings.get': ok(settingsView()), 'activity.list': noActivity });

    const empty = (node: ForgeDoc) => byTestId(panel(node, ACTIVITY_PANEL), 'pagewire-no-activity');
    const tree = await app.waitFor((node) => tabsShown(node) && !!empty(node), 'the empty log');

    expect(empty(tree)?.props.header).toBe('Nothing has happened here yet');
  });
});

describe('the settings page for someone who is not a space admin', () => {
  it('shows the settings read-only, with no way to change them', async () => {
    const app = renderSettings({
      'settings.get': ok(settingsView({ canEdit: false })),
      'activity.list': noActivity,
    });

    const tree = await app.waitFor(tabsShown, 'the settings');

    expect(byTestId(tree, 'pagewire-read-only')?.props).toMatchObject({
      appearance: 'information',
      title: 'You can view these settings',
    });
    expect(textOf(byTestId(tree, 'pagewire-read-only')!)).toBe(
      'Only space admins of ENG can change how Pagewire works here.',
    );
    expect(byTestId(tree, 'pagewire-api-token-form')).toBeUndefined();
    expect(byTestId(tree, 'pagewire-create-key')).toBeUndefined();
    expect(findAll(tree, (node) => textOf(node) === 'Revoke' && node.type === 'Button')).toHaveLength(0);
    expect(byType(byTestId(tree, 'pagewire-policy')!, 'RadioGroup')[0]?.props.isDisabled).toBe(true);
    expect(button(tree, 'Save')).toBeUndefined();
    // They still see how Pagewire is set up.
    expect(byTestId(tree, 'pagewire-api-token-status')).toBeDefined();
    expect(byTestId(tree, 'pagewire-required-scopes')).toBeDefined();
  });
});

const blockItem = {
  key: 'deploy-status',
  title: 'Deploy status',
  kind: 'status',
  revision: 7,
  updatedAt: '2026-11-28T09:57:00Z',
  source: 'ci',
  placements: [{ contentId: '65601', lastSeenAt: '2026-11-28T09:58:00Z' }],
};

describe('the Blocks tab', () => {
  it('lists each block with its last update, source and links to the pages that show it', async () => {
    const app = renderSettings({
      'settings.get': ok(settingsView()),
      'activity.list': noActivity,
      'blocks.overview': ok({ blocks: [blockItem] }),
    });
    const tree = await app.waitFor((node) => !!byTestId(node, 'pagewire-blocks'), 'the blocks');
    const blocks = byTestId(tree, 'pagewire-blocks')!;
    const text = textOf(blocks);
    expect(text).toContain('Deploy status');
    expect(text).toContain('3 min ago (revision 7, 28 Nov 2026, 09:57 UTC)');
    expect(text).toContain('ci');
    const links = byType(blocks, 'Link');
    expect(links.map((link) => [textOf(link), link.props.href])).toEqual([
      ['Page 65601', '/wiki/spaces/ENG/pages/65601'],
    ]);
  });

  it('lets an admin delete a block after confirming, then lists the blocks again', async () => {
    let overviews = 0;
    const app = renderSettings({
      'settings.get': ok(settingsView()),
      'activity.list': noActivity,
      'blocks.overview': () => {
        overviews += 1;
        return { ok: true, data: { blocks: overviews === 1 ? [blockItem] : [] } };
      },
      'blocks.delete': ok({ deleted: true }),
    });
    const tree = await app.waitFor(
      (node) => !!button(byTestId(node, 'pagewire-blocks') ?? node, 'Delete'),
      'the Delete button',
    );
    act(button(byTestId(tree, 'pagewire-blocks')!, 'Delete'), 'onClick');
    const confirming = await app.waitFor((node) => !!byTestId(node, 'pagewire-confirm'), 'the confirmation');
    expect(textOf(byTestId(confirming, 'pagewire-confirm')!)).toContain('will say it was deleted');
    act(button(byTestId(confirming, 'pagewire-confirm')!, 'Delete'), 'onClick');
    await app.waitFor((node) => !!byTestId(node, 'pagewire-no-blocks'), 'the emptied list');
    expect(invocationsOf(app, 'blocks.delete')).toEqual([
      { functionKey: 'blocks.delete', payload: { key: 'deploy-status' } },
    ]);
    await reloaded(app);
  });

  it('offers no Delete to a reader who is not a space admin', async () => {
    const app = renderSettings({
      'settings.get': ok(settingsView({ canEdit: false })),
      'activity.list': noActivity,
      'blocks.overview': ok({ blocks: [blockItem] }),
    });
    const tree = await app.waitFor((node) => !!byTestId(node, 'pagewire-blocks'), 'the blocks');
    expect(button(byTestId(tree, 'pagewire-blocks')!, 'Delete')).toBeUndefined();
  });
});

describe('the backend URL sources must use', () => {
  it('is shown in a read-only field, labelled, next to the ingest keys', async () => {
    const app = renderSettings({ 'settings.get': ok(settingsView()), 'activity.list': noActivity });
    const tree = await app.waitFor(tabsShown, 'the settings');
    const section = byTestId(panel(tree, 1), 'pagewire-backend-url')!;
    expect(field(section, 'pagewire-backend-url-value')?.props).toMatchObject({
      value: 'https://pagewire.example.com',
      isReadOnly: true,
    });
    const label = byType(section, 'Label')[0]!;
    expect(String(label.props.labelFor)).toMatch(/pagewire-backend-url-value$/);
    expect(textOf(section)).toContain('https://pagewire.example.com/openapi.json');
  });

  it('says whom to ask when the operator has not configured it', async () => {
    const app = renderSettings({
      'settings.get': ok(settingsView({ ingestUrl: null })),
      'activity.list': noActivity,
    });
    const tree = await app.waitFor(tabsShown, 'the settings');
    expect(textOf(byTestId(tree, 'pagewire-backend-url')!)).toContain('PAGEWIRE_PUBLIC_URL');
  });
});

describe('the Activity tab’s filters and folding', () => {
  it('shows a folded run of source writes as one row with its count', async () => {
    const app = renderSettings({
      'settings.get': ok(settingsView()),
      'activity.list': ok({
        items: [activityItem('a2', { count: 12, firstAt: '2026-11-28T09:00:00Z' })],
        nextCursor: null,
      }),
    });
    const tree = await app.waitFor((node) => !!byTestId(node, 'pagewire-activity'), 'the log');
    const text = textOf(byTestId(tree, 'pagewire-activity')!);
    expect(text).toContain('Updated a block ×12');
    expect(text).toContain('10 min ago (first 1 hour ago)');
  });

  it('asks for only admin changes, or only one source, when the reader picks a filter', async () => {
    const app = renderSettings({
      'settings.get': ok(settingsView()),
      'activity.list': ok({ items: [activityItem('a1')], nextCursor: null }),
    });
    const tree = await app.waitFor((node) => !!byTestId(node, 'pagewire-activity'), 'the log');
    const kind = findAll(tree, (node) => node.type === 'Select' && node.props.name === 'activityKind')[0]!;
    expect((kind.props.options as Array<{ label: string }>).map((option) => option.label)).toEqual([
      'Everything',
      'Admin changes',
      'Publishing',
      'Errors and warnings',
      'Export',
    ]);
    act(kind, 'onChange', { label: 'Admin changes', value: 'admin' });
    await app.waitFor(
      () =>
        invocationsOf(app, 'activity.list').some(
          (call) => (call.payload as { kind?: string }).kind === 'admin',
        ),
      'the admin-only reload',
    );
    const reloadedTree = await app.waitFor((node) => !!byTestId(node, 'pagewire-activity'), 'the log again');
    const source = findAll(
      reloadedTree,
      (node) => node.type === 'Select' && node.props.name === 'activitySource',
    )[0]!;
    expect((source.props.options as Array<{ label: string }>).map((option) => option.label)).toEqual([
      'All sources',
      'ci',
      'old-cron',
    ]);
    act(source, 'onChange', { label: 'ci', value: 'ci' });
    await app.waitFor(
      () =>
        invocationsOf(app, 'activity.list').some(
          (call) =>
            JSON.stringify(call.payload) === JSON.stringify({ limit: 20, kind: 'admin', source: 'ci' }),
        ),
      'the filtered reload',
    );
    await app.waitFor((node) => !!byTestId(node, 'pagewire-activity'), 'the filtered log');
  });
});

describe('when the backend cannot be reached', () => {
  it('says the backend is unreachable and what to check, and loads again on request', async () => {
    let calls = 0;
    const app = renderSettings({
      'settings.get': () => {
        calls += 1;
        return calls === 1
          ? {
              ok: false,
              error: {
                code: 'backend_unreachable',
                message: 'Pagewire’s service cannot be reached right now.',
              },
            }
          : { ok: true, data: settingsView() };
      },
      'activity.list': noActivity,
    });
    const failed = await app.waitFor((node) => !!byTestId(node, 'pagewire-backend-help'), 'the help');
    expect(byTestId(failed, 'pagewire-error')?.props.title).toBe('Pagewire’s backend is unreachable');
    const help = textOf(byTestId(failed, 'pagewire-backend-help')!);
    expect(help).toContain('/healthz');
    expect(help).toContain('PAGEWIRE_BACKEND_URL');
    act(button(failed, 'Try again'), 'onClick');
    await app.waitFor(tabsShown, 'the settings');
  });
});

describe('human-edit reports in the activity log', () => {
  it('names who edited the page, says when in words, marks it for attention and links the page', async () => {
    const app = renderSettings({
      'settings.get': ok(settingsView()),
      'activity.list': ok({
        items: [
          activityItem('h1', {
            action: 'page.skipped_human_edit',
            result: 'skipped',
            detail:
              'Left "Runbook" unchanged: a person edited it in Confluence (version 3; Pagewire last wrote version 2)',
            pageId: '65601',
            version: 3,
            humanEdit: { by: '557058:f0c3a0b1-editor', at: '2026-11-28T09:30:00Z' },
          }),
        ],
        nextCursor: null,
      }),
    });
    const tree = await app.waitFor((node) => !!byTestId(node, 'pagewire-activity'), 'the log');
    const row = byType(byTestId(tree, 'pagewire-activity')!, 'Row')[0]!;
    const lozenge = byType(row, 'Lozenge')[0]!;
    expect([textOf(lozenge), lozenge.props.appearance]).toEqual(['Left alone', 'moved']);
    expect(byType(row, 'User').map((user) => user.props.accountId)).toContain('557058:f0c3a0b1-editor');
    expect(textOf(row)).toContain('Edited by');
    expect(textOf(row)).toContain('30 min ago');
    expect(textOf(row)).not.toContain('2026-11-28T09:30');
    const link = byType(row, 'Link')[0]!;
    expect([textOf(link), link.props.href]).toEqual(['Open the page', '/wiki/spaces/ENG/pages/65601']);
  });
});

describe('the Pages tab', () => {
  const managed = {
    externalId: 'runbook',
    pageId: '65601',
    title: 'Checkout runbook',
    version: 1,
    updatedAt: '2026-11-28T09:00:00Z',
    releasedAt: null as string | null,
    lastJob: {
      id: 'job-2',
      state: 'skipped_human_edit',
      source: 'ci',
      updatedAt: '2026-11-28T09:55:00Z',
      humanEdit: { by: '557058:f0c3a0b1-editor', at: '2026-11-28T09:40:00Z', version: 2 },
    },
  };

  it('lists managed pages with a link, their state and who edited them; an admin overwrites after confirming', async () => {
    const app = renderSettings({
      'settings.get': ok(settingsView()),
      'activity.list': noActivity,
      'pages.list': ok({ pages: [managed] }),
      'pages.overwrite': ok({ jobId: 'job-3' }),
    });
    const tree = await app.waitFor((node) => !!byTestId(node, 'pagewire-pages'), 'the pages');
    const pages = byTestId(tree, 'pagewire-pages')!;
    const link = byType(pages, 'Link')[0]!;
    expect([textOf(link), link.props.href]).toEqual(['Checkout runbook', '/wiki/spaces/ENG/pages/65601']);
    expect(textOf(pages)).toContain('Left alone: edited in Confluence');
    expect(textOf(pages)).toContain('20 min ago');
    expect(byType(pages, 'User').map((user) => user.props.accountId)).toEqual(['557058:f0c3a0b1-editor']);

    act(button(pages, 'Overwrite with the source’s version'), 'onClick');
    const confirming = await app.waitFor((node) => !!byTestId(node, 'pagewire-confirm'), 'the confirmation');
    act(button(byTestId(confirming, 'pagewire-confirm')!, 'Overwrite'), 'onClick');
    await app.waitFor(() => invocationsOf(app, 'pages.overwrite').length === 1, 'the overwrite');
    expect(invocationsOf(app, 'pages.overwrite')[0]?.payload).toEqual({ externalId: 'runbook' });
    await reloaded(app);
  });

  it('offers no overwrite to a reader who is not a space admin', async () => {
    const app = renderSettings({
      'settings.get': ok(settingsView({ canEdit: false })),
      'activity.list': noActivity,
      'pages.list': ok({ pages: [managed] }),
    });
    const tree = await app.waitFor((node) => !!byTestId(node, 'pagewire-pages'), 'the pages');
    expect(button(byTestId(tree, 'pagewire-pages')!, 'Overwrite with the source’s version')).toBeUndefined();
    expect(button(byTestId(tree, 'pagewire-pages')!, 'Stop managing')).toBeUndefined();
  });

  it('lets an admin stop managing a page after confirming; a released page shows so and offers no actions', async () => {
    const released = { ...managed, releasedAt: '2026-11-28T09:50:00Z' };
    let listed = [managed];
    const app = renderSettings({
      'settings.get': ok(settingsView()),
      'activity.list': noActivity,
      'pages.list': () => ({ ok: true, data: { pages: listed } }),
      'pages.release': () => {
        listed = [released];
        return { ok: true, data: { released: true, releasedAt: released.releasedAt } };
      },
    });
    const tree = await app.waitFor((node) => !!byTestId(node, 'pagewire-pages'), 'the pages');
    act(button(byTestId(tree, 'pagewire-pages')!, 'Stop managing'), 'onClick');
    const confirming = await app.waitFor((node) => !!byTestId(node, 'pagewire-confirm'), 'the confirmation');
    expect(textOf(byTestId(confirming, 'pagewire-confirm')!)).toContain(
      'stays in Confluence exactly as it is',
    );
    act(button(byTestId(confirming, 'pagewire-confirm')!, 'Stop managing'), 'onClick');
    await app.waitFor(() => invocationsOf(app, 'pages.release').length === 1, 'the release');
    expect(invocationsOf(app, 'pages.release')[0]?.payload).toEqual({ externalId: 'runbook' });
    const after = await app.waitFor(
      (node) => textOf(byTestId(node, 'pagewire-pages') ?? node).includes('No longer managed'),
      'the released state',
    );
    const pages = byTestId(after, 'pagewire-pages')!;
    expect(textOf(pages)).toContain('released 10 min ago');
    expect(button(pages, 'Stop managing')).toBeUndefined();
    expect(button(pages, 'Overwrite with the source’s version')).toBeUndefined();
  });
});
