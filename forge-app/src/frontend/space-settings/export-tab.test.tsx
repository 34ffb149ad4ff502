import type { ActivityItem, ExportSettingsView, SettingsView } from '@pagewire/shared';
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
const EXPORT_TAB = 5;
const SECRET = 'pwx_S3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3t1';

const context = {
  moduleKey: 'pagewire-space-settings',
  extension: { type: 'confluence:spaceSettings', space: { id: '98306', key: 'ENG' } },
};

const liveKey = {
  id: 'xk-1',
  consumer: 'search-index',
  prefix: 'pwx_Ab3d',
  createdAt: '2026-11-20T08:00:00Z',
  createdBy: '557058:f0c3a0b1-admin',
  lastUsedAt: '2026-11-28T09:50:00Z',
  revokedAt: null,
};

function exportView(overrides: Partial<ExportSettingsView> = {}): ExportSettingsView {
  return {
    settings: { enabled: true, includeRestricted: false },
    keys: [liveKey],
    sync: {
      state: 'idle',
      lastFullSyncAt: '2026-11-28T07:00:00Z',
      nextSyncAt: '2026-11-28T10:12:00Z',
      pages: 5000,
      lastError: null,
    },
    exportUrl: 'https://pagewire.example.com/export/v1',
    ...overrides,
  };
}

function settingsView(
  overrides: Partial<SettingsView> = {},
  exportOverrides: Partial<ExportSettingsView> = {},
) {
  const view: SettingsView = {
    space: { key: 'ENG', id: '98306' },
    mode: 'in-house',
    canEdit: true,
    settings: { publishingPolicy: 'live', staleAfterMinutes: 60 },
    appToken: { status: 'ok', expiresAt: '2026-11-28T12:30:00Z' },
    apiToken: null,
    requiredApiTokenScopes: [],
    ingestKeys: [],
    ingestUrl: 'https://pagewire.example.com',
    export: exportView(exportOverrides),
    ...overrides,
  };
  return view;
}

type Answer = (payload: unknown) => unknown;
const ok = (data: unknown) => () => ({ ok: true, data });
const defaultAnswers: Record<string, Answer> = {
  'blocks.overview': ok({ blocks: [] }),
  'pages.list': ok({ pages: [] }),
  'activity.list': ok({ items: [], nextCursor: null }),
  'settings.update': ok({ settings: { publishingPolicy: 'live', staleAfterMinutes: 60 } }),
};

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

/** Answers each `settings.get` with the next view, the last one from then on. */
function views(...sequence: SettingsView[]): Answer {
  let calls = 0;
  return () => ({ ok: true, data: sequence[Math.min(calls++, sequence.length - 1)] });
}

const exportTab = (tree: ForgeDoc) => byTestId(tree, 'pagewire-export');

function button(tree: ForgeDoc, label: string): ForgeDoc | undefined {
  return findAll(
    tree,
    (node) => (node.type === 'Button' || node.type === 'LoadingButton') && textOf(node) === label,
  )[0];
}

function field(tree: ForgeDoc, id: string): ForgeDoc | undefined {
  return findAll(tree, (node) => String(node.props.id ?? '').endsWith(id))[0];
}

/** A DynamicTable's body rows (UI Kit renders the head, then the rows). */
function tableRows(table: ForgeDoc | undefined): ForgeDoc[] {
  return table?.children[1]?.children ?? [];
}

function invocationsOf(app: RenderedApp, key: string) {
  return app.invocations.filter((call) => call.functionKey === key);
}

/** A change reloads the settings: the test waits for it, so no call is left over for the next test. */
function settingsReloaded(app: RenderedApp, times = 2) {
  return app.waitFor(() => invocationsOf(app, 'settings.get').length === times, 'the settings to reload');
}

describe('the Export tab', () => {
  it('sits between Pages and Activity', async () => {
    const app = renderSettings({ 'settings.get': ok(settingsView()) });
    const tree = await app.waitFor((node) => !!exportTab(node), 'the settings');
    expect(byType(tree, 'Tab').map(textOf)).toEqual([
      'Connection',
      'Sources & ingest keys',
      'Publishing policy',
      'Blocks',
      'Pages',
      'Export',
      'Activity',
    ]);
    expect(byTestId(byType(tree, 'TabPanel')[EXPORT_TAB]!, 'pagewire-export')).toBeDefined();
  });

  it('shows export off by default with nothing mirrored and no consumers yet', async () => {
    const app = renderSettings({
      'settings.get': ok(
        settingsView(
          {},
          {
            settings: { enabled: false, includeRestricted: false },
            keys: [],
            sync: { state: 'off', lastFullSyncAt: null, nextSyncAt: null, pages: 0, lastError: null },
            exportUrl: null,
          },
        ),
      ),
    });
    const tree = exportTab(await app.waitFor((node) => !!exportTab(node), 'the settings'))!;

    expect(field(tree, 'pagewire-export-enabled')?.props).toMatchObject({
      isChecked: false,
      isDisabled: false,
    });
    expect(field(tree, 'pagewire-export-restricted')?.props).toMatchObject({ isChecked: false });
    const sync = byTestId(tree, 'pagewire-export-sync')!;
    expect(textOf(sync)).toContain('Off');
    expect(textOf(sync)).toContain('Nothing is mirrored while export is off.');
    expect(byTestId(tree, 'pagewire-export-url')?.props.title).toBe('Export URL not configured');
    expect(byTestId(tree, 'pagewire-no-export-keys')?.props).toMatchObject({
      header: 'No consumers yet',
      description: 'Create an export key above for each system that reads this space.',
    });
    const noActivity = await app.waitFor(
      (node) => !!byTestId(byTestId(node, 'pagewire-export-activity')!, 'pagewire-no-activity'),
      'the empty export activity',
    );
    expect(
      byTestId(byTestId(noActivity, 'pagewire-export-activity')!, 'pagewire-no-activity')?.props,
    ).toMatchObject({
      header: 'Nothing has happened here yet',
      description: 'New and revoked export keys and the mirror’s syncs show up here as they happen.',
    });
  });

  it('turns export on at once, says so, and shows the stored state after', async () => {
    const off = settingsView({}, { settings: { enabled: false, includeRestricted: false } });
    const app = renderSettings({ 'settings.get': views(off, settingsView()) });
    const tree = await app.waitFor((node) => !!exportTab(node), 'the settings');

    act(field(tree, 'pagewire-export-enabled'), 'onChange', { target: { checked: true } });

    await app.waitFor(() => app.flags.length > 0, 'the flag');
    expect(invocationsOf(app, 'settings.update').map((call) => call.payload)).toEqual([
      { export: { enabled: true, includeRestricted: false } },
    ]);
    expect(app.flags[0]?.title).toBe('Export turned on');
    await settingsReloaded(app);
    const after = await app.waitFor(
      (node) => field(node, 'pagewire-export-enabled')?.props.isChecked === true,
      'the switch to show on',
    );
    expect(byTestId(after, 'pagewire-confirm')).toBeUndefined();
  });

  it('asks before turning export off, and sends nothing when the admin cancels', async () => {
    const app = renderSettings({ 'settings.get': ok(settingsView()) });
    const tree = await app.waitFor((node) => !!exportTab(node), 'the settings');

    act(field(tree, 'pagewire-export-enabled'), 'onChange', { target: { checked: false } });
    const asking = await app.waitFor((node) => !!byTestId(node, 'pagewire-confirm'), 'the confirmation');
    const confirm = byTestId(asking, 'pagewire-confirm')!;
    expect(textOf(confirm)).toContain('Turn export off?');
    expect(textOf(confirm)).toContain('Every consumer’s key is refused');
    act(button(confirm, 'Cancel'), 'onClick');
    await app.waitFor((node) => !byTestId(node, 'pagewire-confirm'), 'the confirmation to close');
    expect(invocationsOf(app, 'settings.update')).toHaveLength(0);

    act(field(app.tree(), 'pagewire-export-enabled'), 'onChange', { target: { checked: false } });
    const again = await app.waitFor((node) => !!byTestId(node, 'pagewire-confirm'), 'the confirmation');
    act(button(byTestId(again, 'pagewire-confirm')!, 'Turn off'), 'onClick');
    await app.waitFor(() => app.flags.length > 0, 'the flag');
    expect(invocationsOf(app, 'settings.update').map((call) => call.payload)).toEqual([
      { export: { enabled: false, includeRestricted: false } },
    ]);
    expect(app.flags[0]?.title).toBe('Export turned off');
    await settingsReloaded(app);
  });

  it('asks before including restricted pages, saying consumers will read them', async () => {
    const app = renderSettings({ 'settings.get': ok(settingsView()) });
    const tree = await app.waitFor((node) => !!exportTab(node), 'the settings');

    act(field(tree, 'pagewire-export-restricted'), 'onChange', { target: { checked: true } });
    const asking = await app.waitFor((node) => !!byTestId(node, 'pagewire-confirm'), 'the confirmation');
    const confirm = byTestId(asking, 'pagewire-confirm')!;
    expect(textOf(confirm)).toContain('Include restricted pages?');
    expect(invocationsOf(app, 'settings.update')).toHaveLength(0);
    act(button(confirm, 'Include them'), 'onClick');

    await app.waitFor(() => app.flags.length > 0, 'the flag');
    expect(invocationsOf(app, 'settings.update').map((call) => call.payload)).toEqual([
      { export: { enabled: true, includeRestricted: true } },
    ]);
    expect(app.flags[0]?.title).toBe('Export settings saved');
    await settingsReloaded(app);
  });

  it('says why the switch did not save when the backend refuses', async () => {
    const app = renderSettings({
      'settings.get': ok(settingsView({}, { settings: { enabled: false, includeRestricted: false } })),
      'settings.update': () => ({
        ok: false,
        error: {
          code: 'service_unavailable',
          message: 'Pagewire is briefly unavailable. Try again in a minute.',
        },
      }),
    });
    const tree = await app.waitFor((node) => !!exportTab(node), 'the settings');

    act(field(tree, 'pagewire-export-enabled'), 'onChange', { target: { checked: true } });

    const failed = await app.waitFor((node) => !!byTestId(exportTab(node)!, 'pagewire-error'), 'the error');
    const message = byTestId(exportTab(failed)!, 'pagewire-error')!;
    expect(message.props.title).toBe('The export settings were not saved');
    expect(textOf(message)).toContain('briefly unavailable');
    expect(field(failed, 'pagewire-export-enabled')?.props.isChecked).toBe(false);
    expect(app.flags).toHaveLength(0);
  });

  it('creates an export key and shows it once with a curl; afterwards the list shows its prefix only', async () => {
    const created = { ...liveKey, id: 'xk-2', consumer: 'support-bot', prefix: 'pwx_S3cr', lastUsedAt: null };
    const app = renderSettings({
      'settings.get': views(settingsView(), settingsView({}, { keys: [liveKey, created] })),
      'exportKeys.create': ok({ id: 'xk-2', consumer: 'support-bot', key: SECRET }),
    });
    const tree = await app.waitFor((node) => !!exportTab(node), 'the settings');

    act(field(tree, 'pagewire-consumer-name'), 'onChange', { target: { value: ' support-bot ' } });
    await app.waitFor((node) => button(node, 'Create export key')?.props.isDisabled === false, 'the name');
    act(button(app.tree(), 'Create export key'), 'onClick');

    const shown = await app.waitFor((node) => !!byTestId(node, 'pagewire-new-export-key'), 'the new key');
    expect(invocationsOf(app, 'exportKeys.create').map((call) => call.payload)).toEqual([
      { consumer: 'support-bot' },
    ]);
    const message = byTestId(shown, 'pagewire-new-export-key')!;
    expect(message.props).toMatchObject({
      appearance: 'success',
      title: 'Export key for “support-bot” created',
    });
    expect(field(message, 'pagewire-new-export-key-value')?.props).toMatchObject({
      value: SECRET,
      isReadOnly: true,
    });
    expect(field(message, 'pagewire-new-export-key-curl')?.props.value).toBe(
      `curl "https://pagewire.example.com/export/v1/pages?limit=10" -H "Authorization: Bearer ${SECRET}"`,
    );
    expect(textOf(message)).toContain('this is the only time Pagewire shows it');

    await settingsReloaded(app);
    const listed = await app.waitFor(
      (node) => tableRows(byType(byTestId(node, 'pagewire-export-keys')!, 'DynamicTable')[0]).length === 2,
      'the new key in the list',
    );
    act(button(listed, 'I have copied the key'), 'onClick');
    const after = await app.waitFor(
      (node) => !byTestId(node, 'pagewire-new-export-key'),
      'the key to go away',
    );
    const keys = byTestId(after, 'pagewire-export-keys')!;
    expect(textOf(keys)).not.toContain(SECRET);
    const rows = tableRows(byType(keys, 'DynamicTable')[0]);
    expect(rows.map((row) => textOf(row.children[0]!))).toEqual(['search-index', 'support-bot']);
    expect(rows.map((row) => textOf(row.children[1]!))).toEqual(['pwx_Ab3d…', 'pwx_S3cr…']);
    expect(rows.map((row) => textOf(row.children[3]!))).toEqual(['10 min ago', 'Never']);
    expect(byType(rows[0]!, 'User')[0]?.props.accountId).toBe('557058:f0c3a0b1-admin');
    expect(field(after, 'pagewire-consumer-name')?.props.value).toBe('');
  });

  it('shows the backend’s word on a taken consumer name under the field', async () => {
    const app = renderSettings({
      'settings.get': ok(settingsView()),
      'exportKeys.create': () => ({
        ok: false,
        error: {
          code: 'consumer_name_taken',
          message: 'Another key of this space already has that consumer name.',
          fieldErrors: [{ path: '/consumer', message: 'another live key already uses “search-index”' }],
        },
      }),
    });
    const tree = await app.waitFor((node) => !!exportTab(node), 'the settings');

    act(field(tree, 'pagewire-consumer-name'), 'onChange', { target: { value: 'search-index' } });
    await app.waitFor((node) => button(node, 'Create export key')?.props.isDisabled === false, 'the name');
    act(button(app.tree(), 'Create export key'), 'onClick');

    const refused = await app.waitFor(
      (node) => field(node, 'pagewire-consumer-name')?.props.isInvalid === true,
      'the field error',
    );
    const form = byTestId(refused, 'pagewire-create-export-key')!;
    expect(textOf(form)).toContain('another live key already uses “search-index”');
    expect(byTestId(form, 'pagewire-error')).toBeUndefined();
    expect(byTestId(refused, 'pagewire-new-export-key')).toBeUndefined();
  });

  it('revokes an export key only after confirmation', async () => {
    const app = renderSettings({
      'settings.get': ok(settingsView()),
      'exportKeys.revoke': ok({ revoked: true }),
    });
    const tree = await app.waitFor((node) => !!exportTab(node), 'the settings');

    act(button(byTestId(tree, 'pagewire-export-keys')!, 'Revoke'), 'onClick');
    const asking = await app.waitFor((node) => !!byTestId(node, 'pagewire-confirm'), 'the confirmation');
    const confirm = byTestId(asking, 'pagewire-confirm')!;
    expect(textOf(confirm)).toContain('Revoke the export key for “search-index”?');
    expect(invocationsOf(app, 'exportKeys.revoke')).toHaveLength(0);
    act(button(confirm, 'Revoke'), 'onClick');

    await app.waitFor(() => app.flags.length > 0, 'the flag');
    expect(invocationsOf(app, 'exportKeys.revoke').map((call) => call.payload)).toEqual([{ id: 'xk-1' }]);
    expect(app.flags[0]?.title).toBe('Export key for “search-index” revoked');
    await settingsReloaded(app);
  });

  it('shows the sync state: pages mirrored, the last full sync, the next check and the consumer URL', async () => {
    const app = renderSettings({ 'settings.get': ok(settingsView()) });
    const tree = exportTab(await app.waitFor((node) => !!exportTab(node), 'the settings'))!;

    const sync = byTestId(tree, 'pagewire-export-sync')!;
    expect(textOf(byType(sync, 'Lozenge')[0]!)).toBe('Up to date');
    const values = tableRows(byType(sync, 'DynamicTable')[0]).map((row) => row.children.map(textOf));
    expect(values).toEqual([
      ['Pages mirrored', '5000'],
      ['Last full sync', '3 hours ago'],
      ['Next check for changes', 'in 12 min'],
    ]);
    expect(byTestId(sync, 'pagewire-export-sync-error')).toBeUndefined();
    expect(textOf(sync)).toContain('POST /export/v1/sync');
    expect(field(tree, 'pagewire-export-url-value')?.props).toMatchObject({
      value: 'https://pagewire.example.com/export/v1',
      isReadOnly: true,
    });
  });

  it('puts the last sync error in plain words, with the backend’s detail and when it happened', async () => {
    const app = renderSettings({
      'settings.get': ok(
        settingsView(
          {},
          {
            sync: {
              state: 'failing',
              lastFullSyncAt: null,
              nextSyncAt: '2026-11-28T10:05:00Z',
              pages: 1200,
              lastError: {
                code: 'no_credential',
                detail: 'No app token since 09:10 and no API token configured.',
                at: '2026-11-28T09:40:00Z',
              },
            },
          },
        ),
      ),
    });
    const tree = exportTab(await app.waitFor((node) => !!exportTab(node), 'the settings'))!;

    const sync = byTestId(tree, 'pagewire-export-sync')!;
    expect(textOf(byType(sync, 'Lozenge')[0]!)).toBe('Failing');
    expect(textOf(sync)).toContain('Not yet');
    const error = byTestId(sync, 'pagewire-export-sync-error')!;
    expect(error.props).toMatchObject({ appearance: 'warning', title: 'The last sync did not finish' });
    expect(textOf(error)).toContain('Pagewire has no way to read Confluence right now');
    expect(textOf(error)).toContain('No app token since 09:10 and no API token configured.');
    expect(textOf(error)).toContain('28 Nov 2026, 09:40 UTC · code no_credential');
  });

  it('shows the export activity: only export rows, without the Activity tab’s filters', async () => {
    const row: ActivityItem = {
      id: 'a1',
      at: '2026-11-28T09:30:00Z',
      actor: { kind: 'user', id: '557058:f0c3a0b1-admin' },
      action: 'export_key.created',
      result: 'ok',
      detail: 'consumer search-index',
    };
    const app = renderSettings({
      'settings.get': ok(settingsView()),
      'activity.list': (payload) => ({
        ok: true,
        data: { items: (payload as { kind?: string }).kind === 'export' ? [row] : [], nextCursor: null },
      }),
    });

    const shown = await app.waitFor(
      (node) => !!byTestId(byTestId(node, 'pagewire-export-activity') ?? node, 'pagewire-activity'),
      'the export activity',
    );
    const exportCalls = invocationsOf(app, 'activity.list').filter(
      (call) => (call.payload as { kind?: string }).kind === 'export',
    );
    expect(exportCalls.map((call) => call.payload)).toEqual([{ limit: 20, kind: 'export' }]);
    const activity = byTestId(shown, 'pagewire-export-activity')!;
    expect(textOf(activity)).toContain('Created an export key');
    expect(textOf(activity)).toContain('consumer search-index');
    expect(byTestId(activity, 'pagewire-activity-filters')).toBeUndefined();
    // The Activity tab still shows everything, with its filters.
    expect(byTestId(byType(shown, 'TabPanel')[EXPORT_TAB + 1]!, 'pagewire-no-activity')).toBeDefined();
  });

  it('shows a member everything read-only: switches disabled, no key form, no revoke', async () => {
    const app = renderSettings({ 'settings.get': ok(settingsView({ canEdit: false })) });
    const tree = exportTab(await app.waitFor((node) => !!exportTab(node), 'the settings'))!;

    expect(field(tree, 'pagewire-export-enabled')?.props).toMatchObject({
      isChecked: true,
      isDisabled: true,
    });
    expect(field(tree, 'pagewire-export-restricted')?.props.isDisabled).toBe(true);
    expect(textOf(tree)).toContain('Only space admins can change export.');
    expect(byTestId(tree, 'pagewire-create-export-key')).toBeUndefined();
    expect(button(tree, 'Revoke')).toBeUndefined();
    const keys = byTestId(tree, 'pagewire-export-keys')!;
    expect(textOf(keys)).toContain('pwx_Ab3d…');
    expect(field(tree, 'pagewire-export-url-value')?.props.value).toBe(
      'https://pagewire.example.com/export/v1',
    );
  });
});
