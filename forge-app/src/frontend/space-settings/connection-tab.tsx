import { showFlag } from '@forge/bridge';
import {
  Button,
  ButtonGroup,
  Code,
  DatePicker,
  Heading,
  Inline,
  Label,
  List,
  ListItem,
  LoadingButton,
  Lozenge,
  SectionMessage,
  Stack,
  Text,
  Textfield,
} from '@forge/react';
import type {
  ApiTokenStatus,
  AppTokenStatus,
  ResolverError,
  SettingsView,
  TokenHealth,
  TokenHealthStatus,
} from '@pagewire/shared';
import { useState } from 'react';
import { ConfirmModal } from '../components/confirm-modal';
import { ResolverErrorMessage } from '../components/resolver-error-message';
import { invokeOperation } from '../resolver-client';
import { formatDate, formatDateTime } from '../time-display';
import { fieldError, inputValue, onlyFieldErrors } from './field-errors';
import { FieldMessage } from './field-message';

export interface ConnectionTabProps {
  view: SettingsView;
  onChanged: () => void;
}

/**
 * How Pagewire reaches Confluence in this space: the app's own access, always;
 * and in in-house deployments, a scoped API token for what that access cannot
 * do. Marketplace deployments never show the token form (Atlassian's policy
 * forbids apps from asking for API tokens, docs/platform-notes.md#api-tokens-and-distributed-apps).
 */
export function ConnectionTab({ view, onChanged }: ConnectionTabProps) {
  return (
    <Stack space="space.400">
      <AppTokenSection status={view.appToken} />
      {view.mode === 'in-house' ? <ApiTokenSection view={view} onChanged={onChanged} /> : null}
    </Stack>
  );
}

const appTokenCopy: Readonly<
  Record<
    AppTokenStatus['status'],
    { label: string; appearance: 'success' | 'moved' | 'removed'; text: string }
  >
> = {
  ok: {
    label: 'Connected',
    appearance: 'success',
    text: 'Pagewire reaches Confluence with the access Forge gives the app. Nothing to do.',
  },
  missing: {
    label: 'Waiting for Forge',
    appearance: 'moved',
    text: 'Forge has not handed Pagewire its Confluence access yet. It arrives with the next page view or within the hour; nothing to do.',
  },
  expired: {
    label: 'Expired',
    appearance: 'removed',
    text: 'Pagewire’s Confluence access expired and Forge has not renewed it. Forge renews it hourly; if this persists, ask your Confluence admin to check that the app is installed and enabled.',
  },
  refused: {
    label: 'Refused by Confluence',
    appearance: 'removed',
    text: 'Confluence refused the access Forge last gave Pagewire, so Pagewire does not use it. Forge hands out a new one within the hour; if this persists, ask your Confluence admin to check that the app is installed and enabled.',
  },
};

function AppTokenSection({ status }: { status: AppTokenStatus }) {
  const copy = appTokenCopy[status.status];
  return (
    <Stack space="space.100" testId="pagewire-app-token">
      <Heading as="h2" size="small">
        App access
      </Heading>
      <Inline space="space.100" alignBlock="center">
        <Lozenge appearance={copy.appearance}>{copy.label}</Lozenge>
        {status.status === 'ok' && status.expiresAt ? (
          <Text
            size="small"
            color="color.text.subtlest"
          >{`Current token valid until ${formatDateTime(status.expiresAt)}`}</Text>
        ) : null}
      </Inline>
      <Text>{copy.text}</Text>
    </Stack>
  );
}

const healthCopy: Readonly<
  Record<TokenHealthStatus, { label: string; appearance: 'success' | 'moved' | 'removed' }>
> = {
  ok: { label: 'Working', appearance: 'success' },
  missing_scopes: { label: 'Missing scopes', appearance: 'removed' },
  expired_or_revoked: { label: 'Expired or revoked', appearance: 'removed' },
  wrong_base_url: { label: 'Wrong address', appearance: 'removed' },
  wrong_email: { label: 'Wrong email', appearance: 'removed' },
  unreachable: { label: 'Confluence unreachable', appearance: 'moved' },
  undecryptable: { label: 'Cannot be read', appearance: 'removed' },
};

function ApiTokenSection({ view, onChanged }: { view: SettingsView; onChanged: () => void }) {
  return (
    <Stack space="space.200" testId="pagewire-api-token">
      <Stack space="space.100">
        <Heading as="h2" size="small">
          Scoped API token
        </Heading>
        <Text>
          For work the app’s own access cannot do, a space admin can add a scoped API token of a service
          account. Pagewire stores it encrypted and never shows it again.
        </Text>
      </Stack>
      {view.apiToken ? (
        <ApiTokenReport token={view.apiToken} />
      ) : (
        <Text>No API token is set for this space.</Text>
      )}
      <RequiredScopes scopes={view.requiredApiTokenScopes} />
      {view.canEdit ? <ApiTokenForm hasToken={view.apiToken !== null} onChanged={onChanged} /> : null}
    </Stack>
  );
}

function ApiTokenReport({ token }: { token: ApiTokenStatus }) {
  return (
    <Stack space="space.100" testId="pagewire-api-token-status">
      <Inline space="space.100" alignBlock="center">
        <Text weight="medium">{token.email}</Text>
        <Lozenge appearance={healthCopy[token.health.status].appearance}>
          {healthCopy[token.health.status].label}
        </Lozenge>
      </Inline>
      <Text size="small" color="color.text.subtle">
        {`Expires on ${formatDate(token.expiresAt)} · last checked ${formatDateTime(token.health.checkedAt)} · ${
          token.lastUsedAt ? `last used ${formatDateTime(token.lastUsedAt)}` : 'not used yet'
        }`}
      </Text>
      <HealthDetail health={token.health} />
      {token.expiryWarning ? (
        <SectionMessage
          appearance={token.expiryWarning.level === 'expired' ? 'error' : 'warning'}
          title={
            token.expiryWarning.level === 'expired'
              ? 'This API token has expired'
              : `This API token expires in ${token.expiryWarning.daysLeft} ${token.expiryWarning.daysLeft === 1 ? 'day' : 'days'}`
          }
        >
          <Text>
            Create a new token with the scopes below and save it here before then; scopes cannot be added
            later.
          </Text>
        </SectionMessage>
      ) : null}
    </Stack>
  );
}

function HealthDetail({ health }: { health: TokenHealth }) {
  return (
    <>
      {health.detail ? <Text>{health.detail}</Text> : null}
      {health.missingScopes.length > 0 ? (
        <Stack space="space.050">
          <Text>The token lacks these scopes:</Text>
          <List type="unordered">
            {health.missingScopes.map((scope) => (
              <ListItem key={scope}>
                <Code>{scope}</Code>
              </ListItem>
            ))}
          </List>
        </Stack>
      ) : null}
    </>
  );
}

function RequiredScopes({ scopes }: { scopes: string[] }) {
  return (
    <Stack space="space.050" testId="pagewire-required-scopes">
      <Text>
        Create the token at id.atlassian.com → Security → Create API token with scopes, choose Confluence, and
        tick exactly these scopes:
      </Text>
      <List type="unordered">
        {scopes.map((scope) => (
          <ListItem key={scope}>
            <Code>{scope}</Code>
          </ListItem>
        ))}
      </List>
    </Stack>
  );
}

const tokenFields = ['/email', '/token', '/expiresAt'] as const;

type SaveOutcome =
  | { status: 'idle' }
  | { status: 'saving' }
  | { status: 'failed'; error: ResolverError }
  | { status: 'rejected'; health: TokenHealth };

function ApiTokenForm({ hasToken, onChanged }: { hasToken: boolean; onChanged: () => void }) {
  const [email, setEmail] = useState('');
  const [token, setToken] = useState('');
  const [expiresAt, setExpiresAt] = useState('');
  const [outcome, setOutcome] = useState<SaveOutcome>({ status: 'idle' });
  const [removing, setRemoving] = useState(false);
  const [confirmingRemove, setConfirmingRemove] = useState(false);
  const error = outcome.status === 'failed' ? outcome.error : undefined;

  const save = async () => {
    setOutcome({ status: 'saving' });
    const result = await invokeOperation('apiToken.set', {
      email: email.trim(),
      token: token.trim(),
      expiresAt,
    });
    if (!result.ok) return setOutcome({ status: 'failed', error: result.error });
    if (!result.data.saved) return setOutcome({ status: 'rejected', health: result.data.health });
    // The secret leaves the page as soon as Pagewire has it.
    setToken('');
    setOutcome({ status: 'idle' });
    showFlag({
      id: 'pagewire-api-token-saved',
      title: 'API token verified and saved',
      type: 'success',
      isAutoDismiss: true,
    });
    onChanged();
  };

  const remove = async () => {
    setConfirmingRemove(false);
    setRemoving(true);
    const result = await invokeOperation('apiToken.remove', {});
    setRemoving(false);
    if (!result.ok) return setOutcome({ status: 'failed', error: result.error });
    showFlag({
      id: 'pagewire-api-token-removed',
      title: 'API token removed',
      type: 'success',
      isAutoDismiss: true,
    });
    onChanged();
  };

  return (
    <Stack space="space.150" testId="pagewire-api-token-form">
      <Heading as="h3" size="xsmall">
        {hasToken ? 'Replace the API token' : 'Add an API token'}
      </Heading>
      <Stack space="space.050">
        <Label labelFor="pagewire-token-email">Service account email</Label>
        <Textfield
          id="pagewire-token-email"
          name="email"
          value={email}
          placeholder="pagewire@serviceaccount.atlassian.com"
          isInvalid={fieldError(error, '/email') !== undefined}
          onChange={(event) => setEmail(inputValue(event))}
        />
        <FieldMessage error={error} path="/email" />
      </Stack>
      <Stack space="space.050">
        <Label labelFor="pagewire-token-secret">API token</Label>
        <Textfield
          id="pagewire-token-secret"
          name="token"
          type="password"
          value={token}
          isInvalid={fieldError(error, '/token') !== undefined}
          onChange={(event) => setToken(inputValue(event))}
        />
        <FieldMessage error={error} path="/token">
          Paste it once; Pagewire checks it against Confluence before saving.
        </FieldMessage>
      </Stack>
      <Stack space="space.050">
        <Label labelFor="pagewire-token-expiry">Expires on</Label>
        <DatePicker
          id="pagewire-token-expiry"
          name="expiresAt"
          value={expiresAt}
          isInvalid={fieldError(error, '/expiresAt') !== undefined}
          onChange={(value) => setExpiresAt(value)}
        />
        <FieldMessage error={error} path="/expiresAt">
          The date you chose when creating the token; Pagewire warns 30, 7 and 1 days before.
        </FieldMessage>
      </Stack>
      {error && !onlyFieldErrors(error, tokenFields) ? (
        <ResolverErrorMessage title="The API token was not saved" error={error} />
      ) : null}
      {outcome.status === 'rejected' ? (
        <SectionMessage
          appearance="error"
          title="Confluence did not accept this token"
          testId="pagewire-token-rejected"
        >
          <HealthDetail health={outcome.health} />
          <Text>The token that was already saved, if any, stays in use.</Text>
        </SectionMessage>
      ) : null}
      <ButtonGroup label="API token actions">
        <LoadingButton
          appearance="primary"
          isLoading={outcome.status === 'saving'}
          isDisabled={!email || !token || !expiresAt}
          onClick={save}
        >
          Verify and save
        </LoadingButton>
        {hasToken ? (
          <Button appearance="subtle" isDisabled={removing} onClick={() => setConfirmingRemove(true)}>
            Remove the token
          </Button>
        ) : null}
      </ButtonGroup>
      <ConfirmModal
        open={confirmingRemove}
        title="Remove the API token?"
        body="Pagewire deletes the stored token. Anything in this space that needs it stops publishing until a new token is added."
        confirmLabel="Remove"
        onConfirm={remove}
        onCancel={() => setConfirmingRemove(false)}
      />
    </Stack>
  );
}
