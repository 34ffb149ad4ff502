import {
  Button,
  DynamicTable,
  EmptyState,
  Inline,
  Label,
  Link,
  Lozenge,
  Select,
  Stack,
  Text,
  Tooltip,
  User,
} from '@forge/react';
import type {
  ActivityAction,
  ActivityItem,
  ActivityKind,
  ActivityResult,
  ResolverError,
} from '@pagewire/shared';
import { useEffect, useState } from 'react';
import { LoadingSkeleton } from '../components/loading-skeleton';
import { ResolverErrorMessage } from '../components/resolver-error-message';
import { invokeOperation } from '../resolver-client';
import { describeAge, formatDateTime } from '../time-display';
import { pagePath } from './blocks-tab';

export const ACTIVITY_PAGE_SIZE = 20;

const actionLabels: Readonly<Record<ActivityAction, string>> = {
  'settings.updated': 'Changed the settings',
  'api_token.set': 'Saved an API token',
  'api_token.rejected': 'Tried an API token Confluence refused',
  'api_token.removed': 'Removed the API token',
  'api_token.checked': 'Checked the API token',
  'api_token.expiring': 'API token expiring',
  'ingest_key.created': 'Created an ingest key',
  'ingest_key.revoked': 'Revoked an ingest key',
  'block.updated': 'Updated a block',
  'block.deleted': 'Deleted a block',
  'snapshot.written': 'Stored a snapshot in a page',
  'snapshot.failed': 'Could not store a snapshot',
  'page.published': 'Published a page',
  'page.unchanged': 'Left a page unchanged',
  'page.skipped_human_edit': 'Skipped a page a person edited',
  'page.failed': 'Could not publish a page',
  'page.dry_run': 'Planned a page (dry run)',
  'page.archived': 'Archived a page',
  'page.overwrite_requested': 'Asked to overwrite a person’s edit',
  'page.released': 'Stopped managing a page',
  'export_key.created': 'Created an export key',
  'export_key.revoked': 'Revoked an export key',
  'export.synced': 'Synced the export mirror',
  'export.sync_failed': 'Could not sync the export mirror',
  'webhook.created': 'Added a webhook',
  'webhook.deleted': 'Deleted a webhook',
  'webhook.paused': 'Paused a webhook that kept failing',
};

const resultAppearance: Readonly<Record<ActivityResult, 'success' | 'default' | 'removed' | 'moved'>> = {
  ok: 'success',
  // A page left alone needs a look (someone's edit is now out of step with its source), so not grey.
  skipped: 'moved',
  failed: 'removed',
  warning: 'moved',
};

const resultLabels: Readonly<Record<ActivityResult, string>> = {
  ok: 'Done',
  skipped: 'Left alone',
  failed: 'Failed',
  warning: 'Warning',
};

type Log =
  | { status: 'loading' }
  | { status: 'failed'; error: ResolverError }
  | {
      status: 'ready';
      items: ActivityItem[];
      nextCursor: string | null;
      loadingMore: boolean;
      moreError?: ResolverError;
    };

interface Option {
  label: string;
  value: string;
}

const kindOptions: Option[] = [
  { label: 'Everything', value: '' },
  { label: 'Admin changes', value: 'admin' },
  { label: 'Publishing', value: 'publishing' },
  { label: 'Errors and warnings', value: 'errors' },
  { label: 'Export', value: 'export' },
];

export interface ActivityTabProps {
  now: Date;
  /** For links to the pages a row is about. */
  spaceKey?: string;
  /** The space's source names, for the source filter. */
  sources?: readonly string[];
  /** Shows only this kind, without the filters (the Export tab's own log). */
  fixedKind?: ActivityKind;
}

/**
 * Everything Pagewire did in this space, newest first, a page at a time,
 * narrowed by kind and by source. A source's routine writes arrive folded
 * (one row with a count), so an admin's change is not buried under them.
 */
export function ActivityTab({ now, sources = [], spaceKey, fixedKind }: ActivityTabProps) {
  const [log, setLog] = useState<Log>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [kind, setKind] = useState<Option>(
    kindOptions.find((option) => option.value === fixedKind) ?? kindOptions[0]!,
  );
  const [source, setSource] = useState<Option>({ label: 'All sources', value: '' });
  const sourceOptions: Option[] = [
    { label: 'All sources', value: '' },
    ...[...new Set(sources)].sort().map((name) => ({ label: name, value: name })),
  ];
  const filter = {
    ...(kind.value === '' ? {} : { kind: kind.value as ActivityKind }),
    ...(source.value === '' ? {} : { source: source.value }),
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` reloads the first page on "Try again"; a filter change reloads it too.
  useEffect(() => {
    let current = true;
    setLog({ status: 'loading' });
    void invokeOperation('activity.list', { limit: ACTIVITY_PAGE_SIZE, ...filter }).then((result) => {
      if (!current) return;
      setLog(
        result.ok
          ? {
              status: 'ready',
              items: result.data.items,
              nextCursor: result.data.nextCursor,
              loadingMore: false,
            }
          : { status: 'failed', error: result.error },
      );
    });
    return () => {
      current = false;
    };
  }, [attempt, kind.value, source.value]);

  const loadOlder = async () => {
    if (log.status !== 'ready' || !log.nextCursor) return;
    setLog({ ...log, loadingMore: true });
    const result = await invokeOperation('activity.list', {
      cursor: log.nextCursor,
      limit: ACTIVITY_PAGE_SIZE,
      ...filter,
    });
    setLog((previous) => {
      if (previous.status !== 'ready') return previous;
      if (!result.ok) return { ...previous, loadingMore: false, moreError: result.error };
      return {
        status: 'ready',
        items: [...previous.items, ...result.data.items],
        nextCursor: result.data.nextCursor,
        loadingMore: false,
      };
    });
  };

  const filters = fixedKind ? null : (
    <Inline space="space.200" alignBlock="end" testId="pagewire-activity-filters">
      <Stack space="space.050">
        <Label labelFor="pagewire-activity-kind">Show</Label>
        <Select
          inputId="pagewire-activity-kind"
          name="activityKind"
          options={kindOptions}
          value={kind}
          onChange={(option: Option | null) => setKind(option ?? kindOptions[0]!)}
        />
      </Stack>
      <Stack space="space.050">
        <Label labelFor="pagewire-activity-source">Source</Label>
        <Select
          inputId="pagewire-activity-source"
          name="activitySource"
          options={sourceOptions}
          value={source}
          onChange={(option: Option | null) => setSource(option ?? sourceOptions[0]!)}
        />
      </Stack>
    </Inline>
  );

  if (log.status === 'loading') {
    return (
      <Stack space="space.200">
        {filters}
        <LoadingSkeleton lines={5} />
      </Stack>
    );
  }
  if (log.status === 'failed') {
    return (
      <ResolverErrorMessage
        title="The activity log could not be loaded"
        error={log.error}
        onRetry={() => setAttempt((count) => count + 1)}
      />
    );
  }
  if (log.items.length === 0) {
    return (
      <Stack space="space.200">
        {filters}
        <EmptyState
          header={
            fixedKind !== undefined || Object.keys(filter).length === 0
              ? 'Nothing has happened here yet'
              : 'Nothing matches these filters'
          }
          description={
            fixedKind === 'export'
              ? 'New and revoked export keys and the mirror’s syncs show up here as they happen.'
              : 'Settings changes, new keys, block updates and publishing show up here as they happen.'
          }
          testId="pagewire-no-activity"
        />
      </Stack>
    );
  }
  return (
    <Stack space="space.200" testId="pagewire-activity">
      {filters}
      <DynamicTable
        caption="Activity"
        head={{
          cells: [
            { key: 'when', content: 'When' },
            { key: 'who', content: 'Who' },
            { key: 'what', content: 'What' },
            { key: 'result', content: 'Result' },
            { key: 'detail', content: 'Details' },
          ],
        }}
        rows={log.items.map((item) => ({
          key: item.id,
          cells: [
            {
              key: 'when',
              content: (
                <Tooltip content={formatDateTime(item.at)}>
                  <Text>
                    {item.count && item.firstAt
                      ? `${describeAge(item.at, now)} (first ${describeAge(item.firstAt, now)})`
                      : describeAge(item.at, now)}
                  </Text>
                </Tooltip>
              ),
            },
            { key: 'who', content: <Actor item={item} /> },
            {
              key: 'what',
              content: item.count ? `${actionLabels[item.action]} ×${item.count}` : actionLabels[item.action],
            },
            {
              key: 'result',
              content: (
                <Lozenge appearance={resultAppearance[item.result]}>{resultLabels[item.result]}</Lozenge>
              ),
            },
            { key: 'detail', content: <Details item={item} spaceKey={spaceKey} now={now} /> },
          ],
        }))}
      />
      {log.moreError ? (
        <ResolverErrorMessage title="Older activity could not be loaded" error={log.moreError} />
      ) : null}
      {log.nextCursor ? (
        <Stack alignInline="start">
          <Button appearance="default" isDisabled={log.loadingMore} onClick={loadOlder}>
            Show older activity
          </Button>
        </Stack>
      ) : null}
    </Stack>
  );
}

function Actor({ item }: { item: ActivityItem }) {
  if (item.actor.kind === 'user') return <User accountId={item.actor.id} />;
  if (item.actor.kind === 'source') return <Text>{`Source “${item.actor.id}”`}</Text>;
  return <Text>Pagewire</Text>;
}

/** The sentence, then who edited the page (a name, when) and a link to the page the row is about. */
function Details({ item, spaceKey, now }: { item: ActivityItem; spaceKey: string | undefined; now: Date }) {
  const text = [item.detail, item.version ? `version ${item.version}` : undefined]
    .filter((part): part is string => part !== undefined)
    .join(' · ');
  return (
    <Stack space="space.050">
      <Text>{text || '—'}</Text>
      {item.humanEdit ? (
        <Inline space="space.050" alignBlock="center">
          <Text size="small">Edited by</Text>
          <User accountId={item.humanEdit.by} />
          <Text size="small">{describeAge(item.humanEdit.at, now)}</Text>
        </Inline>
      ) : null}
      {item.pageId && spaceKey ? (
        // Relative /wiki paths stay on the user's own site (docs/platform-notes.md#ui-kit-links).
        <Link href={pagePath(spaceKey, item.pageId)}>Open the page</Link>
      ) : item.pageId ? (
        <Text size="small">{`page ${item.pageId}`}</Text>
      ) : null}
    </Stack>
  );
}
