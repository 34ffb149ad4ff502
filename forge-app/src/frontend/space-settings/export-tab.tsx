import { showFlag } from '@forge/bridge';
import {
  Button,
  Code,
  DynamicTable,
  EmptyState,
  Heading,
  HelperMessage,
  Inline,
  Label,
  LoadingButton,
  Lozenge,
  SectionMessage,
  Stack,
  Text,
  Textfield,
  Toggle,
  Tooltip,
  User,
} from '@forge/react';
import type {
  ExportKeySummary,
  ExportSettings,
  ExportSyncView,
  OperationOutput,
  ResolverError,
  SettingsView,
} from '@pagewire/shared';
import { useState } from 'react';
import { ConfirmModal } from '../components/confirm-modal';
import { ResolverErrorMessage } from '../components/resolver-error-message';
import { invokeOperation } from '../resolver-client';
import { describeAge, formatDate, formatDateTime } from '../time-display';
import { ActivityTab } from './activity-tab';
import { fieldError, inputValue, onlyFieldErrors } from './field-errors';
import { FieldMessage } from './field-message';
import { WebhooksSection } from './webhooks-section';

export interface ExportTabProps {
  view: SettingsView;
  onChanged: () => void;
  now: Date;
  /** Bumped by every change; the export activity reloads so it shows that change. */
  revision: number;
}

/**
 * Export: other systems (a search index, a support bot, a docs site) read this
 * space's pages and every change to them with an export key (docs/EXPORT.md).
 */
export function ExportTab({ view, onChanged, now, revision }: ExportTabProps) {
  const exportView = view.export;
  return (
    <Stack space="space.400" testId="pagewire-export">
      <Text>
        Consumers such as search indexes, support bots and docs sites read this space’s pages, and every
        change to them, as Markdown, plain text or ADF: <Code>GET /export/v1/pages?updatedSince=…</Code> with{' '}
        <Code>Authorization: Bearer &lt;export key&gt;</Code>. Each consumer gets its own key.
      </Text>
      <ExportSwitches settings={exportView.settings} canEdit={view.canEdit} onChanged={onChanged} />
      <SyncState sync={exportView.sync} enabled={exportView.settings.enabled} now={now} />
      <ConsumerUrl url={exportView.exportUrl} />
      <ExportKeys view={view} onChanged={onChanged} now={now} />
      {/* Webhooks: another way the same consumers hear about changes, pushed instead of polled. */}
      <WebhooksSection canEdit={view.canEdit} now={now} onChanged={onChanged} />
      <Stack space="space.100" testId="pagewire-export-activity">
        <Heading as="h3" size="xsmall">
          Export activity
        </Heading>
        <ActivityTab
          key={`export-activity-${revision}`}
          now={now}
          spaceKey={view.space.key}
          fixedKind="export"
        />
      </Stack>
    </Stack>
  );
}

type PendingChange = { change: ExportSettings; confirm: 'disable' | 'include-restricted' };

function ExportSwitches({
  settings,
  canEdit,
  onChanged,
}: {
  settings: ExportSettings;
  canEdit: boolean;
  onChanged: () => void;
}) {
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ResolverError | undefined>();
  const [pending, setPending] = useState<PendingChange | undefined>();

  const save = async (change: ExportSettings) => {
    setPending(undefined);
    setSaving(true);
    const result = await invokeOperation('settings.update', { export: change });
    setSaving(false);
    if (!result.ok) return setError(result.error);
    setError(undefined);
    showFlag({
      id: 'pagewire-export-saved',
      title:
        change.enabled === settings.enabled
          ? 'Export settings saved'
          : `Export turned ${change.enabled ? 'on' : 'off'}`,
      type: 'success',
      isAutoDismiss: true,
    });
    onChanged();
  };

  // Changes that take something away from consumers, or hand them more than before, are confirmed first.
  const toggleEnabled = () => {
    const change = { ...settings, enabled: !settings.enabled };
    if (settings.enabled) setPending({ change, confirm: 'disable' });
    else void save(change);
  };
  const toggleRestricted = () => {
    const change = { ...settings, includeRestricted: !settings.includeRestricted };
    if (!settings.includeRestricted) setPending({ change, confirm: 'include-restricted' });
    else void save(change);
  };

  return (
    <Stack space="space.150" testId="pagewire-export-switches">
      <Heading as="h2" size="small">
        Export
      </Heading>
      <Stack space="space.050">
        <Inline space="space.100" alignBlock="center">
          <Toggle
            id="pagewire-export-enabled"
            label="Export this space"
            isChecked={settings.enabled}
            isDisabled={!canEdit || saving}
            onChange={toggleEnabled}
          />
          <Label labelFor="pagewire-export-enabled">Export this space</Label>
        </Inline>
        <HelperMessage>
          Off by default. Turning it on copies the space’s page list into Pagewire’s mirror; a check for
          changes then runs on a schedule.
        </HelperMessage>
      </Stack>
      <Stack space="space.050">
        <Inline space="space.100" alignBlock="center">
          <Toggle
            id="pagewire-export-restricted"
            label="Include restricted pages"
            isChecked={settings.includeRestricted}
            isDisabled={!canEdit || saving}
            onChange={toggleRestricted}
          />
          <Label labelFor="pagewire-export-restricted">Include restricted pages</Label>
        </Inline>
        <HelperMessage>
          Pages with view restrictions are left out unless this is on. Consumers do not sign in as a person,
          so with it on they read restricted pages too.
        </HelperMessage>
      </Stack>
      {canEdit ? null : (
        <Text size="small" color="color.text.subtle">
          Only space admins can change export.
        </Text>
      )}
      {error ? <ResolverErrorMessage title="The export settings were not saved" error={error} /> : null}
      <ConfirmModal
        open={pending !== undefined}
        title={pending?.confirm === 'disable' ? 'Turn export off?' : 'Include restricted pages?'}
        body={
          pending?.confirm === 'disable'
            ? 'Every consumer’s key is refused with “export disabled” until export is turned on again. The keys stay, and so does the mirror.'
            : 'Consumers with an export key will read pages whose view is restricted to some people, and pass them on to the systems they feed.'
        }
        confirmLabel={pending?.confirm === 'disable' ? 'Turn off' : 'Include them'}
        onConfirm={() => (pending ? void save(pending.change) : undefined)}
        onCancel={() => setPending(undefined)}
      />
    </Stack>
  );
}

const syncStateLabels: Readonly<
  Record<
    ExportSyncView['state'],
    { label: string; appearance: 'default' | 'inprogress' | 'success' | 'removed' }
  >
> = {
  off: { label: 'Off', appearance: 'default' },
  backfilling: { label: 'First copy in progress', appearance: 'inprogress' },
  reconciling: { label: 'Checking for changes', appearance: 'inprogress' },
  idle: { label: 'Up to date', appearance: 'success' },
  failing: { label: 'Failing', appearance: 'removed' },
};

/** What a sync error means for an admin, by its stable code; the backend's own sentence follows. */
const syncErrorWords: Readonly<Record<string, string>> = {
  no_credential:
    'Pagewire has no way to read Confluence right now: the app’s token expired and no API token is set.',
  confluence_scope_missing: 'Confluence refused a read the app needs; the app may need to be updated.',
  confluence_auth_failed: 'Confluence refused Pagewire’s credentials.',
  confluence_rate_limited: 'Confluence asked Pagewire to slow down; the sync carries on where it stopped.',
  confluence_unavailable: 'Confluence did not answer; the sync carries on where it stopped at the next try.',
  space_not_found: 'Confluence no longer knows this space.',
};

function SyncState({ sync, enabled, now }: { sync: ExportSyncView; enabled: boolean; now: Date }) {
  const state = syncStateLabels[sync.state];
  return (
    <Stack space="space.100" testId="pagewire-export-sync">
      <Inline space="space.100" alignBlock="center">
        <Heading as="h3" size="xsmall">
          Sync
        </Heading>
        <Lozenge appearance={state.appearance}>{state.label}</Lozenge>
      </Inline>
      {!enabled && sync.state === 'off' ? (
        <Text>Nothing is mirrored while export is off.</Text>
      ) : (
        <DynamicTable
          caption="Sync state"
          rows={[
            {
              key: 'pages',
              cells: [
                { key: 'what', content: 'Pages mirrored' },
                { key: 'value', content: String(sync.pages) },
              ],
            },
            {
              key: 'last',
              cells: [
                { key: 'what', content: 'Last full sync' },
                { key: 'value', content: <When iso={sync.lastFullSyncAt} none="Not yet" now={now} /> },
              ],
            },
            {
              key: 'next',
              cells: [
                { key: 'what', content: 'Next check for changes' },
                { key: 'value', content: <When iso={sync.nextSyncAt} none="Not scheduled" now={now} /> },
              ],
            },
          ]}
        />
      )}
      {sync.lastError ? (
        <SectionMessage
          appearance="warning"
          title="The last sync did not finish"
          testId="pagewire-export-sync-error"
        >
          <Text>{syncErrorWords[sync.lastError.code] ?? sync.lastError.detail}</Text>
          {syncErrorWords[sync.lastError.code] ? <Text>{sync.lastError.detail}</Text> : null}
          <Text size="small">{`${formatDateTime(sync.lastError.at)} · code ${sync.lastError.code}`}</Text>
        </SectionMessage>
      ) : null}
      <Text size="small" color="color.text.subtle">
        There is no “Sync now” button here yet: a consumer can ask for a check right away with{' '}
        <Code>POST /export/v1/sync</Code>.
      </Text>
    </Stack>
  );
}

/** A time as "in 12 min" or "3 hours ago", exact (UTC) on hover. */
function When({ iso, none, now }: { iso: string | null; none: string; now: Date }) {
  if (iso === null) return <Text>{none}</Text>;
  const future = Date.parse(iso) > now.getTime();
  const relative = future ? describeIn(iso, now) : describeAge(iso, now);
  return (
    <Tooltip content={formatDateTime(iso)}>
      <Text>{relative}</Text>
    </Tooltip>
  );
}

function describeIn(iso: string, now: Date): string {
  const minutes = Math.round((Date.parse(iso) - now.getTime()) / 60_000);
  if (minutes < 1) return 'in under a minute';
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.round(minutes / 60);
  return hours === 1 ? 'in 1 hour' : `in ${hours} hours`;
}

/**
 * Values to copy sit in read-only fields: UI Kit gives a frontend no clipboard
 * (docs/platform-notes.md#ui-kit-and-the-clipboard), so one click selects the
 * value and the browser's own copy does the rest.
 */
function CopyField({ id, label, value }: { id: string; label: string; value: string }) {
  return (
    <Stack space="space.050">
      <Label labelFor={id}>{label}</Label>
      <Textfield id={id} name={id} value={value} isReadOnly isMonospaced testId={id} />
    </Stack>
  );
}

function ConsumerUrl({ url }: { url: string | null }) {
  return url === null ? (
    <SectionMessage appearance="information" title="Export URL not configured" testId="pagewire-export-url">
      <Text>
        Consumers call the Pagewire backend’s own URL. Ask whoever runs the backend for it (they can show it
        here by setting PAGEWIRE_PUBLIC_URL).
      </Text>
    </SectionMessage>
  ) : (
    <Stack space="space.100" testId="pagewire-export-url">
      <CopyField
        id="pagewire-export-url-value"
        label="Export URL for consumers (select and copy)"
        value={url}
      />
      <Text size="small" color="color.text.subtle">
        {`Pages are listed at ${url}/pages, a page's body at ${url}/pages/<pageId>?format=markdown, the sync state at ${url}/sync.`}
      </Text>
    </Stack>
  );
}

function ExportKeys({ view, onChanged, now }: { view: SettingsView; onChanged: () => void; now: Date }) {
  const [created, setCreated] = useState<OperationOutput<'exportKeys.create'> | undefined>();
  const [revoking, setRevoking] = useState<ExportKeySummary | undefined>();
  const [revokeError, setRevokeError] = useState<ResolverError | undefined>();

  const revoke = async () => {
    const key = revoking;
    setRevoking(undefined);
    if (!key) return;
    const result = await invokeOperation('exportKeys.revoke', { id: key.id });
    if (!result.ok) return setRevokeError(result.error);
    setRevokeError(undefined);
    showFlag({
      id: `pagewire-export-key-revoked-${key.id}`,
      title: `Export key for “${key.consumer}” revoked`,
      type: 'success',
      isAutoDismiss: true,
    });
    onChanged();
  };

  return (
    <Stack space="space.200" testId="pagewire-export-keys">
      <Heading as="h3" size="xsmall">
        Consumers and export keys
      </Heading>
      {created ? (
        <NewExportKey
          created={created}
          exportUrl={view.export.exportUrl}
          onDismiss={() => setCreated(undefined)}
        />
      ) : null}
      {view.canEdit ? (
        <CreateExportKeyForm
          onCreated={(key) => {
            setCreated(key);
            onChanged();
          }}
        />
      ) : null}
      {revokeError ? (
        <ResolverErrorMessage title="The export key was not revoked" error={revokeError} />
      ) : null}
      <ExportKeyTable keys={view.export.keys} canEdit={view.canEdit} now={now} onRevoke={setRevoking} />
      <ConfirmModal
        open={revoking !== undefined}
        title={`Revoke the export key for “${revoking?.consumer ?? ''}”?`}
        body="Pagewire refuses this key from now on: the consumer gets “invalid export key” until it is given a new one. What it already copied stays with it."
        confirmLabel="Revoke"
        onConfirm={revoke}
        onCancel={() => setRevoking(undefined)}
      />
    </Stack>
  );
}

function NewExportKey({
  created,
  exportUrl,
  onDismiss,
}: {
  created: OperationOutput<'exportKeys.create'>;
  exportUrl: string | null;
  onDismiss: () => void;
}) {
  return (
    <SectionMessage
      appearance="success"
      title={`Export key for “${created.consumer}” created`}
      testId="pagewire-new-export-key"
    >
      <Text>
        Copy it now and store it in the consumer’s secret store: this is the only time Pagewire shows it.
      </Text>
      <CopyField
        id="pagewire-new-export-key-value"
        label="Export key (select and copy)"
        value={created.key}
      />
      {exportUrl === null ? null : (
        <CopyField
          id="pagewire-new-export-key-curl"
          label="Try it (select and copy)"
          value={`curl "${exportUrl}/pages?limit=10" -H "Authorization: Bearer ${created.key}"`}
        />
      )}
      <Button appearance="primary" onClick={onDismiss}>
        I have copied the key
      </Button>
    </SectionMessage>
  );
}

function CreateExportKeyForm({
  onCreated,
}: {
  onCreated: (key: OperationOutput<'exportKeys.create'>) => void;
}) {
  const [consumer, setConsumer] = useState('');
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<ResolverError | undefined>();

  const create = async () => {
    setCreating(true);
    const result = await invokeOperation('exportKeys.create', { consumer: consumer.trim() });
    setCreating(false);
    if (!result.ok) return setError(result.error);
    setError(undefined);
    setConsumer('');
    onCreated(result.data);
  };

  return (
    <Stack space="space.100" testId="pagewire-create-export-key">
      <Label labelFor="pagewire-consumer-name">Consumer name</Label>
      <Inline space="space.100" alignBlock="start">
        <Textfield
          id="pagewire-consumer-name"
          name="consumer"
          value={consumer}
          placeholder="search-index"
          isInvalid={fieldError(error, '/consumer') !== undefined}
          onChange={(event) => setConsumer(inputValue(event))}
        />
        <LoadingButton
          appearance="primary"
          isLoading={creating}
          isDisabled={consumer.trim() === ''}
          onClick={create}
        >
          Create export key
        </LoadingButton>
      </Inline>
      <FieldMessage error={error} path="/consumer">
        Letters, digits, spaces, “.”, “_” or “-”. It names this consumer in the key list and the activity log.
      </FieldMessage>
      {error && !onlyFieldErrors(error, ['/consumer']) ? (
        <ResolverErrorMessage title="The export key was not created" error={error} />
      ) : null}
    </Stack>
  );
}

function ExportKeyTable({
  keys,
  canEdit,
  now,
  onRevoke,
}: {
  keys: ExportKeySummary[];
  canEdit: boolean;
  now: Date;
  onRevoke: (key: ExportKeySummary) => void;
}) {
  if (keys.length === 0) {
    return (
      <EmptyState
        header="No consumers yet"
        description={
          canEdit
            ? 'Create an export key above for each system that reads this space.'
            : 'A space admin creates an export key here for each system that reads this space.'
        }
        testId="pagewire-no-export-keys"
      />
    );
  }
  const head = [
    { key: 'consumer', content: 'Consumer' },
    { key: 'key', content: 'Key' },
    { key: 'created', content: 'Created' },
    { key: 'used', content: 'Last used' },
    { key: 'state', content: 'Status' },
    ...(canEdit ? [{ key: 'actions', content: '' }] : []),
  ];
  return (
    <DynamicTable
      caption="Export keys"
      head={{ cells: head }}
      rows={keys.map((key) => ({
        key: key.id,
        cells: [
          { key: 'consumer', content: key.consumer },
          { key: 'key', content: <Code>{`${key.prefix}…`}</Code> },
          {
            key: 'created',
            content: (
              <Inline space="space.050" alignBlock="center">
                <Text>{`${formatDate(key.createdAt)} by`}</Text>
                <User accountId={key.createdBy} />
              </Inline>
            ),
          },
          { key: 'used', content: key.lastUsedAt ? describeAge(key.lastUsedAt, now) : 'Never' },
          {
            key: 'state',
            content: key.revokedAt ? (
              <Lozenge appearance="removed">{`Revoked ${formatDate(key.revokedAt)}`}</Lozenge>
            ) : (
              <Lozenge appearance="success">Active</Lozenge>
            ),
          },
          ...(canEdit
            ? [
                {
                  key: 'actions',
                  content: key.revokedAt ? (
                    ''
                  ) : (
                    <Button appearance="subtle" onClick={() => onRevoke(key)}>
                      Revoke
                    </Button>
                  ),
                },
              ]
            : []),
        ],
      }))}
    />
  );
}
