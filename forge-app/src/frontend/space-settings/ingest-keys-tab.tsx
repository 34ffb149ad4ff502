import { showFlag } from '@forge/bridge';
import {
  Button,
  Code,
  DynamicTable,
  EmptyState,
  Heading,
  Inline,
  Label,
  LoadingButton,
  Lozenge,
  SectionMessage,
  Stack,
  Text,
  Textfield,
  User,
} from '@forge/react';
import type { IngestKeySummary, OperationOutput, ResolverError, SettingsView } from '@pagewire/shared';
import { useState } from 'react';
import { ConfirmModal } from '../components/confirm-modal';
import { ResolverErrorMessage } from '../components/resolver-error-message';
import { invokeOperation } from '../resolver-client';
import { describeAge, formatDate } from '../time-display';
import { fieldError, inputValue, onlyFieldErrors } from './field-errors';
import { FieldMessage } from './field-message';

export interface IngestKeysTabProps {
  view: SettingsView;
  onChanged: () => void;
  now: Date;
}

/** The sources that may push blocks into this space, one ingest key each. */
export function IngestKeysTab({ view, onChanged, now }: IngestKeysTabProps) {
  const [created, setCreated] = useState<OperationOutput<'ingestKeys.create'> | undefined>();
  const [revoking, setRevoking] = useState<IngestKeySummary | undefined>();
  const [revokeError, setRevokeError] = useState<ResolverError | undefined>();

  const revoke = async () => {
    const key = revoking;
    setRevoking(undefined);
    if (!key) return;
    const result = await invokeOperation('ingestKeys.revoke', { id: key.id });
    if (!result.ok) return setRevokeError(result.error);
    setRevokeError(undefined);
    showFlag({
      id: `pagewire-key-revoked-${key.id}`,
      title: `Key for “${key.source}” revoked`,
      type: 'success',
      isAutoDismiss: true,
    });
    onChanged();
  };

  return (
    <Stack space="space.300">
      <Text>
        Sources such as CI pipelines, monitors and scripts push blocks into this space with an ingest key:{' '}
        <Code>PUT /ingest/v1/blocks/&lt;key&gt;</Code> with{' '}
        <Code>Authorization: Bearer &lt;ingest key&gt;</Code>. Each source gets its own key, so the activity
        log says who changed what.
      </Text>
      <BackendUrl url={view.ingestUrl} />
      {created ? (
        <NewKeyMessage created={created} ingestUrl={view.ingestUrl} onDismiss={() => setCreated(undefined)} />
      ) : null}
      {view.canEdit ? (
        <CreateKeyForm
          onCreated={(key) => {
            setCreated(key);
            onChanged();
          }}
        />
      ) : null}
      {revokeError ? <ResolverErrorMessage title="The key was not revoked" error={revokeError} /> : null}
      <KeyTable keys={view.ingestKeys} canEdit={view.canEdit} now={now} onRevoke={setRevoking} />
      <ConfirmModal
        open={revoking !== undefined}
        title={`Revoke the key for “${revoking?.source ?? ''}”?`}
        body="Pagewire refuses this key from now on. The source cannot push blocks until it is given a new key; blocks it already pushed stay."
        confirmLabel="Revoke"
        onConfirm={revoke}
        onCancel={() => setRevoking(undefined)}
      />
    </Stack>
  );
}

/**
 * UI Kit gives a frontend no clipboard access (its code runs in Forge's
 * sandbox, away from the page the click happens in), so values to copy sit in
 * read-only fields: one click selects the field, Ctrl+C / ⌘C copies it.
 */
function CopyField({ id, label, value }: { id: string; label: string; value: string }) {
  return (
    <Stack space="space.050">
      <Label labelFor={id}>{label}</Label>
      <Textfield id={id} name={id} value={value} isReadOnly isMonospaced testId={id} />
    </Stack>
  );
}

function BackendUrl({ url }: { url: string | null }) {
  return url === null ? (
    <SectionMessage appearance="information" title="Backend URL not configured" testId="pagewire-backend-url">
      <Text>
        Sources send blocks to the Pagewire backend’s own URL. Ask whoever runs the backend for it (they can
        show it here by setting PAGEWIRE_PUBLIC_URL).
      </Text>
    </SectionMessage>
  ) : (
    <Stack space="space.100" testId="pagewire-backend-url">
      <CopyField
        id="pagewire-backend-url-value"
        label="Backend URL for sources (select and copy)"
        value={url}
      />
      <Text size="small" color="color.text.subtle">
        {`Blocks go to ${url}/ingest/v1/blocks/<key>; the formats of every block kind are in the API reference at ${url}/openapi.json.`}
      </Text>
    </Stack>
  );
}

function NewKeyMessage({
  created,
  ingestUrl,
  onDismiss,
}: {
  created: OperationOutput<'ingestKeys.create'>;
  ingestUrl: string | null;
  onDismiss: () => void;
}) {
  return (
    <SectionMessage
      appearance="success"
      title={`Ingest key for “${created.source}” created`}
      testId="pagewire-new-key"
    >
      <Text>
        Copy it now and store it in the source’s secret store: this is the only time Pagewire shows it.
      </Text>
      <CopyField id="pagewire-new-key-value" label="Ingest key (select and copy)" value={created.key} />
      {ingestUrl === null ? null : (
        <CopyField
          id="pagewire-new-key-curl"
          label="Try it (select and copy)"
          value={`curl -X PUT "${ingestUrl}/ingest/v1/blocks/hello" -H "Authorization: Bearer ${created.key}" -H "Content-Type: application/json" -d '{"kind":"status","title":"Hello","content":{"status":"Operational","tone":"success"}}'`}
        />
      )}
      <Button appearance="primary" onClick={onDismiss}>
        I have copied the key
      </Button>
    </SectionMessage>
  );
}

function CreateKeyForm({ onCreated }: { onCreated: (key: OperationOutput<'ingestKeys.create'>) => void }) {
  const [source, setSource] = useState('');
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<ResolverError | undefined>();

  const create = async () => {
    setCreating(true);
    const result = await invokeOperation('ingestKeys.create', { source: source.trim() });
    setCreating(false);
    if (!result.ok) return setError(result.error);
    setError(undefined);
    setSource('');
    onCreated(result.data);
  };

  return (
    <Stack space="space.100" testId="pagewire-create-key">
      <Heading as="h3" size="xsmall">
        Add a source
      </Heading>
      <Label labelFor="pagewire-source-name">Source name</Label>
      <Inline space="space.100" alignBlock="start">
        <Textfield
          id="pagewire-source-name"
          name="source"
          value={source}
          placeholder="ci-pipeline"
          isInvalid={fieldError(error, '/source') !== undefined}
          onChange={(event) => setSource(inputValue(event))}
        />
        <LoadingButton
          appearance="primary"
          isLoading={creating}
          isDisabled={source.trim() === ''}
          onClick={create}
        >
          Create ingest key
        </LoadingButton>
      </Inline>
      <FieldMessage error={error} path="/source">
        Letters, digits, spaces, “.”, “_” or “-”. It labels this source in the activity log.
      </FieldMessage>
      {error && !onlyFieldErrors(error, ['/source']) ? (
        <ResolverErrorMessage title="The key was not created" error={error} />
      ) : null}
    </Stack>
  );
}

function KeyTable({
  keys,
  canEdit,
  now,
  onRevoke,
}: {
  keys: IngestKeySummary[];
  canEdit: boolean;
  now: Date;
  onRevoke: (key: IngestKeySummary) => void;
}) {
  if (keys.length === 0) {
    return (
      <EmptyState
        header="No sources yet"
        description={
          canEdit
            ? 'Add a source above to get its ingest key.'
            : 'A space admin adds sources here; each gets its own ingest key.'
        }
        testId="pagewire-no-keys"
      />
    );
  }
  const head = [
    { key: 'source', content: 'Source' },
    { key: 'key', content: 'Key' },
    { key: 'created', content: 'Created' },
    { key: 'used', content: 'Last used' },
    { key: 'state', content: 'Status' },
    ...(canEdit ? [{ key: 'actions', content: '' }] : []),
  ];
  return (
    <DynamicTable
      caption="Ingest keys"
      head={{ cells: head }}
      rows={keys.map((key) => ({
        key: key.id,
        cells: [
          { key: 'source', content: key.source },
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
