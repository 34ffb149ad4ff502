import { showFlag } from '@forge/bridge';
import { Button, Code, DynamicTable, EmptyState, Inline, Link, Stack, Text } from '@forge/react';
import type { BlockListItem, ResolverError } from '@pagewire/shared';
import { useEffect, useState } from 'react';
import { ConfirmModal } from '../components/confirm-modal';
import { LoadingSkeleton } from '../components/loading-skeleton';
import { ResolverErrorMessage } from '../components/resolver-error-message';
import { invokeOperation } from '../resolver-client';
import { describeAge, formatDateTime } from '../time-display';

type Load =
  | { status: 'loading' }
  | { status: 'failed'; error: ResolverError }
  | { status: 'ready'; blocks: BlockListItem[] };

export interface BlocksTabProps {
  spaceKey: string;
  canEdit: boolean;
  now: Date;
  /** Called after a deletion, so the activity log shows it. */
  onChanged: () => void;
}

/**
 * Every block in the space: what it is, who last wrote it and when, and the
 * pages whose macros show it. A space admin can delete one; macros showing it
 * then say it was deleted, and the macro picker no longer offers it.
 */
export function BlocksTab({ spaceKey, canEdit, now, onChanged }: BlocksTabProps) {
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [deleting, setDeleting] = useState<BlockListItem | undefined>();
  const [deleteError, setDeleteError] = useState<ResolverError | undefined>();

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` reloads the list after a deletion or on "Try again".
  useEffect(() => {
    let current = true;
    void invokeOperation('blocks.overview', {}).then((result) => {
      if (!current) return;
      setLoad(
        result.ok
          ? { status: 'ready', blocks: result.data.blocks }
          : { status: 'failed', error: result.error },
      );
    });
    return () => {
      current = false;
    };
  }, [attempt]);

  const confirmDelete = async () => {
    const block = deleting;
    setDeleting(undefined);
    if (!block) return;
    const result = await invokeOperation('blocks.delete', { key: block.key });
    if (!result.ok) return setDeleteError(result.error);
    setDeleteError(undefined);
    showFlag({
      id: `pagewire-block-deleted-${block.key}`,
      title: `Block “${block.title}” deleted`,
      type: 'success',
      isAutoDismiss: true,
    });
    setAttempt((count) => count + 1);
    onChanged();
  };

  if (load.status === 'loading') return <LoadingSkeleton lines={3} />;
  if (load.status === 'failed') {
    return (
      <ResolverErrorMessage
        title="The blocks could not be loaded"
        error={load.error}
        onRetry={() => setAttempt((count) => count + 1)}
      />
    );
  }
  return (
    <Stack space="space.200" testId="pagewire-blocks">
      <Text>
        Blocks are what sources push into this space. A block a source stops writing stays until it is deleted
        here or with <Code>DELETE /ingest/v1/blocks/&lt;key&gt;</Code>.
      </Text>
      {deleteError ? <ResolverErrorMessage title="The block was not deleted" error={deleteError} /> : null}
      {load.blocks.length === 0 ? (
        <EmptyState
          header="No blocks yet"
          description="A source creates a block the first time it writes one with its ingest key."
          testId="pagewire-no-blocks"
        />
      ) : (
        <DynamicTable
          caption="Blocks"
          head={{
            cells: [
              { key: 'block', content: 'Block' },
              { key: 'updated', content: 'Last update' },
              { key: 'source', content: 'Source' },
              { key: 'placed', content: 'Shown on' },
              ...(canEdit ? [{ key: 'actions', content: '' }] : []),
            ],
          }}
          rows={load.blocks.map((block) => ({
            key: block.key,
            cells: [
              {
                key: 'block',
                content: (
                  <Stack space="space.0">
                    <Text weight="medium">{block.title}</Text>
                    <Text size="small" color="color.text.subtle">{`${block.key} · ${block.kind}`}</Text>
                  </Stack>
                ),
              },
              {
                key: 'updated',
                content: (
                  <Text>{`${describeAge(block.updatedAt, now)} (revision ${block.revision}, ${formatDateTime(block.updatedAt)})`}</Text>
                ),
              },
              { key: 'source', content: block.source },
              {
                key: 'placed',
                content:
                  block.placements.length === 0 ? (
                    <Text color="color.text.subtle">No page yet</Text>
                  ) : (
                    <Inline space="space.100" shouldWrap>
                      {block.placements.map((placement) => (
                        // Relative /wiki paths stay on the user's own site (docs/platform-notes.md#ui-kit-links).
                        <Link key={placement.contentId} href={pagePath(spaceKey, placement.contentId)}>
                          {`Page ${placement.contentId}`}
                        </Link>
                      ))}
                    </Inline>
                  ),
              },
              ...(canEdit
                ? [
                    {
                      key: 'actions',
                      content: (
                        <Button appearance="subtle" onClick={() => setDeleting(block)}>
                          Delete
                        </Button>
                      ),
                    },
                  ]
                : []),
            ],
          }))}
        />
      )}
      <ConfirmModal
        open={deleting !== undefined}
        title={`Delete the block “${deleting?.title ?? ''}”?`}
        body={`Macros showing “${deleting?.key ?? ''}” will say it was deleted, and it is no longer offered when a macro picks a block. A source writing the same key again brings it back.`}
        confirmLabel="Delete"
        onConfirm={confirmDelete}
        onCancel={() => setDeleting(undefined)}
      />
    </Stack>
  );
}

/** Confluence Cloud opens a page by id at this path; the title part of the usual URL is optional. */
export function pagePath(spaceKey: string, contentId: string): string {
  return `/wiki/spaces/${encodeURIComponent(spaceKey)}/pages/${encodeURIComponent(contentId)}`;
}
