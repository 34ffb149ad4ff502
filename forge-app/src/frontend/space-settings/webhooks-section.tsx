import { showFlag } from '@forge/bridge';
import {
  Button,
  CheckboxGroup,
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
} from '@forge/react';
import {
  type OperationOutput,
  type ResolverError,
  type WebhookEventType,
  type WebhookSubscription,
  webhookEventTypes,
} from '@pagewire/shared';
import { useEffect, useState } from 'react';
import { ConfirmModal } from '../components/confirm-modal';
import { LoadingSkeleton } from '../components/loading-skeleton';
import { ResolverErrorMessage } from '../components/resolver-error-message';
import { invokeOperation } from '../resolver-client';
import { describeAge } from '../time-display';
import { fieldError, inputValue, onlyFieldErrors } from './field-errors';
import { FieldMessage } from './field-message';

type Load =
  | { status: 'loading' }
  | { status: 'failed'; error: ResolverError }
  | { status: 'ready'; subscriptions: WebhookSubscription[] };

/** The event types a subscription can ask for (`webhook.test` is sent by "Send test" only). */
const SUBSCRIBABLE = webhookEventTypes.filter((type) => type !== 'webhook.test');

export interface WebhooksSectionProps {
  canEdit: boolean;
  now: Date;
  onChanged: () => void;
}

/**
 * Signed webhooks out of the space (docs/WEBHOOKS.md): where page and blog
 * post changes are POSTed, how that has gone, and (admins) add, test, delete.
 * The secret is shown once, right after "Add webhook", in a read-only field to
 * copy (UI Kit offers no clipboard, docs/platform-notes.md#ui-kit-and-the-clipboard).
 */
export function WebhooksSection({ canEdit, now, onChanged }: WebhooksSectionProps) {
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [created, setCreated] = useState<
    (OperationOutput<'webhooks.create'> & { url: string }) | undefined
  >();
  const [deleting, setDeleting] = useState<WebhookSubscription | undefined>();
  const [actionError, setActionError] = useState<{ title: string; error: ResolverError } | undefined>();

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` reloads the list after an action or on "Try again".
  useEffect(() => {
    let current = true;
    void invokeOperation('webhooks.list', {}).then((result) => {
      if (!current) return;
      setLoad(
        result.ok
          ? { status: 'ready', subscriptions: result.data.subscriptions }
          : { status: 'failed', error: result.error },
      );
    });
    return () => {
      current = false;
    };
  }, [attempt]);

  const reload = () => {
    setAttempt((count) => count + 1);
    onChanged();
  };

  const sendTest = async (subscription: WebhookSubscription) => {
    const result = await invokeOperation('webhooks.test', { id: subscription.id });
    if (!result.ok) return setActionError({ title: 'The test was not sent', error: result.error });
    setActionError(undefined);
    showFlag({
      id: `pagewire-webhook-test-${result.data.deliveryId}`,
      title: 'Test event queued',
      description: `Delivery ${result.data.deliveryId} goes to ${hostOf(subscription.url)} now; its outcome shows here.`,
      type: 'info',
      isAutoDismiss: true,
    });
    reload();
  };

  const remove = async () => {
    const target = deleting;
    setDeleting(undefined);
    if (!target) return;
    const result = await invokeOperation('webhooks.delete', { id: target.id });
    if (!result.ok) return setActionError({ title: 'The webhook was not deleted', error: result.error });
    setActionError(undefined);
    showFlag({
      id: `pagewire-webhook-deleted-${target.id}`,
      title: `Webhook to ${hostOf(target.url)} deleted`,
      type: 'success',
      isAutoDismiss: true,
    });
    reload();
  };

  return (
    <Stack space="space.300" testId="pagewire-webhooks">
      <Heading as="h3" size="small">
        Webhooks
      </Heading>
      <Text>
        Pagewire POSTs every page and blog post change in this space to your URLs within seconds, signed per
        the Standard Webhooks spec (webhook-id, webhook-timestamp and webhook-signature headers). Failed
        deliveries are retried for 24 hours; a URL that fails for 3 days is paused.
      </Text>
      {created ? <NewSecretMessage created={created} onDismiss={() => setCreated(undefined)} /> : null}
      {canEdit ? (
        <AddWebhookForm
          onCreated={(result) => {
            setCreated(result);
            reload();
          }}
        />
      ) : null}
      {actionError ? <ResolverErrorMessage title={actionError.title} error={actionError.error} /> : null}
      {load.status === 'loading' ? <LoadingSkeleton lines={2} /> : null}
      {load.status === 'failed' ? (
        <ResolverErrorMessage
          title="The webhooks could not be loaded"
          error={load.error}
          onRetry={() => setAttempt((count) => count + 1)}
        />
      ) : null}
      {load.status === 'ready' ? (
        <SubscriptionTable
          subscriptions={load.subscriptions}
          canEdit={canEdit}
          now={now}
          onTest={sendTest}
          onDelete={setDeleting}
        />
      ) : null}
      <ConfirmModal
        open={deleting !== undefined}
        title={`Delete the webhook to ${deleting ? hostOf(deleting.url) : ''}?`}
        body="Nothing more is sent to this URL, and deliveries still waiting are dropped. Its secret stops being valid for good."
        confirmLabel="Delete"
        onConfirm={remove}
        onCancel={() => setDeleting(undefined)}
      />
    </Stack>
  );
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function NewSecretMessage({
  created,
  onDismiss,
}: {
  created: OperationOutput<'webhooks.create'> & { url: string };
  onDismiss: () => void;
}) {
  return (
    <SectionMessage
      appearance="success"
      title={`Webhook to ${hostOf(created.url)} added`}
      testId="pagewire-new-webhook"
    >
      <Text>
        Copy the signing secret now and store it with your receiver: this is the only time Pagewire shows it.
        Verify each delivery with it before trusting the body.
      </Text>
      <Stack space="space.050">
        <Label labelFor="pagewire-new-webhook-secret">Signing secret (select and copy)</Label>
        <Textfield
          id="pagewire-new-webhook-secret"
          name="pagewire-new-webhook-secret"
          value={created.secret}
          isReadOnly
          isMonospaced
          testId="pagewire-new-webhook-secret"
        />
      </Stack>
      <Button appearance="primary" onClick={onDismiss}>
        I have copied the secret
      </Button>
    </SectionMessage>
  );
}

function AddWebhookForm({
  onCreated,
}: {
  onCreated: (created: OperationOutput<'webhooks.create'> & { url: string }) => void;
}) {
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>([...SUBSCRIBABLE]);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<ResolverError | undefined>();

  const create = async () => {
    setCreating(true);
    const chosen = events as WebhookEventType[];
    const all = chosen.length === SUBSCRIBABLE.length;
    const result = await invokeOperation('webhooks.create', {
      url: url.trim(),
      ...(all ? {} : { events: chosen as Exclude<WebhookEventType, 'webhook.test'>[] }),
    });
    setCreating(false);
    if (!result.ok) return setError(result.error);
    setError(undefined);
    onCreated({ ...result.data, url: url.trim() });
    setUrl('');
  };

  return (
    <Stack space="space.100" testId="pagewire-add-webhook">
      <Heading as="h4" size="xsmall">
        Add a webhook
      </Heading>
      <Label labelFor="pagewire-webhook-url">Receiver URL</Label>
      <Textfield
        id="pagewire-webhook-url"
        name="url"
        value={url}
        placeholder="https://hooks.example.com/pagewire"
        isInvalid={fieldError(error, '/url') !== undefined}
        onChange={(event) => setUrl(inputValue(event))}
      />
      <FieldMessage error={error} path="/url">
        An https URL on the public internet; private and local addresses are refused.
      </FieldMessage>
      <Label labelFor="pagewire-webhook-events">Events</Label>
      <CheckboxGroup
        name="pagewire-webhook-events"
        value={events}
        onChange={(values) => setEvents(values)}
        options={SUBSCRIBABLE.map((type) => ({ label: type, value: type }))}
      />
      <Inline space="space.100">
        <LoadingButton
          appearance="primary"
          isLoading={creating}
          isDisabled={url.trim() === '' || events.length === 0}
          onClick={create}
        >
          Add webhook
        </LoadingButton>
      </Inline>
      {error && !onlyFieldErrors(error, ['/url']) ? (
        <ResolverErrorMessage title="The webhook was not added" error={error} />
      ) : null}
    </Stack>
  );
}

function SubscriptionTable({
  subscriptions,
  canEdit,
  now,
  onTest,
  onDelete,
}: {
  subscriptions: WebhookSubscription[];
  canEdit: boolean;
  now: Date;
  onTest: (subscription: WebhookSubscription) => void;
  onDelete: (subscription: WebhookSubscription) => void;
}) {
  if (subscriptions.length === 0) {
    return (
      <EmptyState
        header="No webhooks yet"
        description={
          canEdit
            ? 'Add a receiver URL above to be told about every change.'
            : 'A space admin adds webhooks here.'
        }
        testId="pagewire-no-webhooks"
      />
    );
  }
  const head = [
    { key: 'url', content: 'URL' },
    { key: 'state', content: 'Status' },
    { key: 'deliveries', content: 'Deliveries' },
    { key: 'last', content: 'Last success' },
    { key: 'error', content: 'Last error' },
    ...(canEdit ? [{ key: 'actions', content: '' }] : []),
  ];
  return (
    <DynamicTable
      caption="Webhooks"
      head={{ cells: head }}
      rows={subscriptions.map((subscription) => ({
        key: subscription.id,
        cells: [
          { key: 'url', content: subscription.url },
          {
            key: 'state',
            content:
              subscription.state === 'paused' ? (
                <Lozenge appearance="removed">Paused: failing for 3 days</Lozenge>
              ) : (
                <Lozenge appearance="success">Active</Lozenge>
              ),
          },
          {
            key: 'deliveries',
            content: `${subscription.deliveries.delivered} delivered, ${subscription.deliveries.pending} waiting, ${subscription.deliveries.deadLettered} given up`,
          },
          {
            key: 'last',
            content: subscription.lastSuccessAt ? describeAge(subscription.lastSuccessAt, now) : 'Never',
          },
          {
            key: 'error',
            content: subscription.lastError
              ? `${describeAge(subscription.lastError.at, now)}: ${subscription.lastError.detail}`
              : 'None',
          },
          ...(canEdit
            ? [
                {
                  key: 'actions',
                  content: (
                    <Inline space="space.050">
                      <Button appearance="subtle" onClick={() => onTest(subscription)}>
                        {subscription.state === 'paused' ? 'Send test and resume' : 'Send test'}
                      </Button>
                      <Button appearance="subtle" onClick={() => onDelete(subscription)}>
                        Delete
                      </Button>
                    </Inline>
                  ),
                },
              ]
            : []),
        ],
      }))}
    />
  );
}
