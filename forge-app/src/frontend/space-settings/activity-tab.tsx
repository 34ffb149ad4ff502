import { Button, DynamicTable, EmptyState, Lozenge, Stack, Text, Tooltip, User } from '@forge/react';
import type { ActivityAction, ActivityItem, ActivityResult, ResolverError } from '@pagewire/shared';
import { useEffect, useState } from 'react';
import { LoadingSkeleton } from '../components/loading-skeleton';
import { ResolverErrorMessage } from '../components/resolver-error-message';
import { invokeOperation } from '../resolver-client';
import { describeAge, formatDateTime } from '../time-display';

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
};

const resultAppearance: Readonly<Record<ActivityResult, 'success' | 'default' | 'removed' | 'moved'>> = {
  ok: 'success',
  skipped: 'default',
  failed: 'removed',
  warning: 'moved',
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

/** Everything Pagewire did in this space, newest first, a page at a time. */
export function ActivityTab({ now }: { now: Date }) {
  const [log, setLog] = useState<Log>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` reloads the first page on "Try again".
  useEffect(() => {
    let current = true;
    setLog({ status: 'loading' });
    void invokeOperation('activity.list', { limit: ACTIVITY_PAGE_SIZE }).then((result) => {
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
  }, [attempt]);

  const loadOlder = async () => {
    if (log.status !== 'ready' || !log.nextCursor) return;
    setLog({ ...log, loadingMore: true });
    const result = await invokeOperation('activity.list', {
      cursor: log.nextCursor,
      limit: ACTIVITY_PAGE_SIZE,
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

  if (log.status === 'loading') return <LoadingSkeleton lines={5} />;
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
      <EmptyState
        header="Nothing has happened here yet"
        description="Settings changes, new keys, block updates and publishing show up here as they happen."
        testId="pagewire-no-activity"
      />
    );
  }
  return (
    <Stack space="space.200" testId="pagewire-activity">
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
                  <Text>{describeAge(item.at, now)}</Text>
                </Tooltip>
              ),
            },
            { key: 'who', content: <Actor item={item} /> },
            { key: 'what', content: actionLabels[item.action] },
            {
              key: 'result',
              content: <Lozenge appearance={resultAppearance[item.result]}>{item.result}</Lozenge>,
            },
            { key: 'detail', content: detailText(item) },
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

function detailText(item: ActivityItem): string {
  const parts = [
    item.detail,
    item.pageId ? `page ${item.pageId}` : undefined,
    item.version ? `version ${item.version}` : undefined,
  ];
  return parts.filter((part): part is string => part !== undefined).join(' · ') || '—';
}
