import { showFlag } from '@forge/bridge';
import {
  Heading,
  HelperMessage,
  Label,
  LoadingButton,
  RadioGroup,
  Stack,
  Text,
  Textfield,
} from '@forge/react';
import type { PublishingPolicy, ResolverError, SettingsView } from '@pagewire/shared';
import { useState } from 'react';
import { ResolverErrorMessage } from '../components/resolver-error-message';
import { invokeOperation } from '../resolver-client';
import { fieldError, inputValue, onlyFieldErrors } from './field-errors';
import { FieldMessage } from './field-message';

const policyOptions: Array<{ label: string; value: PublishingPolicy }> = [
  { label: 'Live: readers always see the current block', value: 'live' },
  { label: 'Snapshot: live, plus a copy in the page for exports and history', value: 'snapshot' },
];

export interface PublishingPolicyTabProps {
  view: SettingsView;
  onChanged: () => void;
}

/** How blocks reach pages, and when a block counts as stale. */
export function PublishingPolicyTab({ view, onChanged }: PublishingPolicyTabProps) {
  const [policy, setPolicy] = useState<PublishingPolicy>(view.settings.publishingPolicy);
  const [staleAfter, setStaleAfter] = useState(String(view.settings.staleAfterMinutes));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ResolverError | undefined>();

  const staleAfterMinutes = Number(staleAfter);
  const changed =
    policy !== view.settings.publishingPolicy || staleAfterMinutes !== view.settings.staleAfterMinutes;

  const save = async () => {
    setSaving(true);
    const result = await invokeOperation('settings.update', {
      ...(policy !== view.settings.publishingPolicy ? { publishingPolicy: policy } : {}),
      // Out-of-range or fractional values come back from the resolver as a field error.
      ...(staleAfterMinutes !== view.settings.staleAfterMinutes ? { staleAfterMinutes } : {}),
    });
    setSaving(false);
    if (!result.ok) return setError(result.error);
    setError(undefined);
    showFlag({
      id: 'pagewire-settings-saved',
      title: 'Publishing policy saved',
      type: 'success',
      isAutoDismiss: true,
    });
    onChanged();
  };

  return (
    <Stack space="space.300" testId="pagewire-policy">
      <Stack space="space.100">
        <Heading as="h2" size="small">
          How blocks reach pages
        </Heading>
        <RadioGroup
          name="publishingPolicy"
          options={policyOptions}
          value={policy}
          isDisabled={!view.canEdit}
          onChange={(event) => setPolicy(inputValue(event) === 'snapshot' ? 'snapshot' : 'live')}
        />
        <HelperMessage>
          Live writes nothing to Confluence. Snapshot also stores each placed block in its page (a content
          property, no new page version), so Word export, page history and search show real content.
        </HelperMessage>
      </Stack>
      <Stack space="space.050">
        <Label labelFor="pagewire-stale-after">Mark a block stale after (minutes)</Label>
        <Textfield
          id="pagewire-stale-after"
          name="staleAfterMinutes"
          type="number"
          min={1}
          max={43200}
          value={staleAfter}
          isDisabled={!view.canEdit}
          isInvalid={fieldError(error, '/staleAfterMinutes') !== undefined}
          onChange={(event) => setStaleAfter(inputValue(event))}
        />
        <FieldMessage error={error} path="/staleAfterMinutes">
          Readers see “Stale” on a block its source has not updated for this long (1 minute to 30 days).
        </FieldMessage>
      </Stack>
      {error && !onlyFieldErrors(error, ['/staleAfterMinutes', '/publishingPolicy']) ? (
        <ResolverErrorMessage title="The policy was not saved" error={error} />
      ) : null}
      {view.canEdit ? (
        <Stack alignInline="start">
          <LoadingButton appearance="primary" isLoading={saving} isDisabled={!changed} onClick={save}>
            Save
          </LoadingButton>
        </Stack>
      ) : (
        <Text size="small" color="color.text.subtle">
          Only space admins can change the publishing policy.
        </Text>
      )}
    </Stack>
  );
}
