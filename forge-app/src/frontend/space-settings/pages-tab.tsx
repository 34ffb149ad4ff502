import { showFlag } from '@forge/bridge';
import { Button, DynamicTable, EmptyState, Inline, Link, Lozenge, Stack, Text, User } from '@forge/react';
import type { JobState, OperationOutput, ResolverError } from '@pagewire/shared';
import { useEffect, useState } from 'react';
import { ConfirmModal } from '../components/confirm-modal';
import { LoadingSkeleton } from '../components/loading-skeleton';
import { ResolverErrorMessage } from '../components/resolver-error-message';
import { invokeOperation } from '../resolver-client';
import { describeAge } from '../time-display';
import { pagePath } from './blocks-tab';

type ManagedPage = OperationOutput<'pages.list'>['pages'][number];
type Load =
  | { status: 'loading' }
  | { status: 'failed'; error: ResolverError }
  | { status: 'ready'; pages: ManagedPage[] };

const stateLabels: Readonly<
  Record<JobState, [string, 'success' | 'default' | 'removed' | 'moved' | 'inprogress']>
> = {
  queued: ['Queued', 'inprogress'],
  running: ['Publishing', 'inprogress'],
  published: ['Published', 'success'],
  unchanged: ['Up to date', 'success'],
  skipped_human_edit: ['Left alone: edited in Confluence', 'moved'],
  failed: ['Failed', 'removed'],
  planned: ['Dry run', 'default'],
};

export interface PagesTabProps {
  spaceKey: string;
  canEdit: boolean;
  now: Date;
  onChanged: () => void;
}

/**
 * Every page the space's sources publish, with what happened to it last. A
 * page a person edited is left alone until an admin chooses "Overwrite with
 * the source's version" (or the source asks with `onHumanEdit: overwrite`).
 * "Stop managing" hands a page back to people for good (pages.release).
 */
export function PagesTab({ spaceKey, canEdit, now, onChanged }: PagesTabProps) {
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [overwriting, setOverwriting] = useState<ManagedPage | undefined>();
  const [releasing, setReleasing] = useState<ManagedPage | undefined>();
  const [error, setError] = useState<ResolverError | undefined>();

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` reloads the list after an action or on "Try again".
  useEffect(() => {
    let current = true;
    void invokeOperation('pages.list', {}).then((result) => {
      if (!current) return;
      setLoad(
        result.ok ? { status: 'ready', pages: result.data.pages } : { status: 'failed', error: result.error },
      );
    });
    return () => {
      current = false;
    };
  }, [attempt]);

  const overwrite = async () => {
    const target = overwriting;
    setOverwriting(undefined);
    if (!target) return;
    const result = await invokeOperation('pages.overwrite', { externalId: target.externalId });
    if (!result.ok) return setError(result.error);
    setError(undefined);
    showFlag({
      id: `pagewire-overwrite-${target.externalId}`,
      title: `“${target.title}” will be published from its source again`,
      type: 'success',
      isAutoDismiss: true,
    });
    setAttempt((count) => count + 1);
    onChanged();
  };

  const release = async () => {
    const target = releasing;
    setReleasing(undefined);
    if (!target) return;
    const result = await invokeOperation('pages.release', { externalId: target.externalId });
    if (!result.ok) return setError(result.error);
    setError(undefined);
    showFlag({
      id: `pagewire-release-${target.externalId}`,
      title: `Pagewire no longer manages “${target.title}”`,
      description: 'The page stays as it is; its source’s updates are refused from now on.',
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
        title="The published pages could not be loaded"
        error={load.error}
        onRetry={() => setAttempt((count) => count + 1)}
      />
    );
  }
  return (
    <Stack space="space.200" testId="pagewire-pages">
      <Text>
        Pages the space’s sources publish from Markdown or ADF. A page someone edits in Confluence is left
        alone, so the edit is not lost; the next publish from its source skips it until an admin overwrites it
        here.
      </Text>
      {error ? <ResolverErrorMessage title="That did not work" error={error} /> : null}
      {load.pages.length === 0 ? (
        <EmptyState
          header="No published pages yet"
          description="A source publishes one with PUT /ingest/v1/pages/<external id>."
          testId="pagewire-no-pages"
        />
      ) : (
        <DynamicTable
          caption="Published pages"
          head={{
            cells: [
              { key: 'page', content: 'Page' },
              { key: 'state', content: 'Last publish' },
              { key: 'source', content: 'Source' },
              ...(canEdit ? [{ key: 'actions', content: '' }] : []),
            ],
          }}
          rows={load.pages.map((page) => {
            const job = page.lastJob;
            const [label, appearance] =
              page.releasedAt !== null
                ? ['No longer managed', 'default' as const]
                : job
                  ? stateLabels[job.state]
                  : ['—', 'default' as const];
            return {
              key: page.externalId,
              cells: [
                {
                  key: 'page',
                  content: (
                    <Stack space="space.0">
                      <Link href={pagePath(spaceKey, page.pageId)}>{page.title}</Link>
                      <Text size="small" color="color.text.subtle">
                        {page.releasedAt === null
                          ? `${page.externalId} · version ${page.version} by Pagewire`
                          : `${page.externalId} · released ${describeAge(page.releasedAt, now)}`}
                      </Text>
                    </Stack>
                  ),
                },
                {
                  key: 'state',
                  content: (
                    <Stack space="space.050">
                      <Inline space="space.050" alignBlock="center">
                        <Lozenge appearance={appearance}>{label}</Lozenge>
                        {job && page.releasedAt === null ? (
                          <Text size="small">{describeAge(job.updatedAt, now)}</Text>
                        ) : null}
                      </Inline>
                      {job?.humanEdit ? (
                        <Inline space="space.050" alignBlock="center">
                          <Text size="small">Edited by</Text>
                          <User accountId={job.humanEdit.by} />
                          <Text size="small">{describeAge(job.humanEdit.at, now)}</Text>
                        </Inline>
                      ) : null}
                    </Stack>
                  ),
                },
                { key: 'source', content: job?.source ?? '—' },
                ...(canEdit
                  ? [
                      {
                        key: 'actions',
                        content:
                          page.releasedAt !== null ? (
                            ''
                          ) : (
                            <Inline space="space.050">
                              {job?.state === 'skipped_human_edit' ? (
                                <Button appearance="subtle" onClick={() => setOverwriting(page)}>
                                  Overwrite with the source’s version
                                </Button>
                              ) : null}
                              <Button appearance="subtle" onClick={() => setReleasing(page)}>
                                Stop managing
                              </Button>
                            </Inline>
                          ),
                      },
                    ]
                  : []),
              ],
            };
          })}
        />
      )}
      <ConfirmModal
        open={overwriting !== undefined}
        title={`Overwrite the edit to “${overwriting?.title ?? ''}”?`}
        body="Pagewire publishes the source’s last version over the page as it is now. The edit stays in the page history, where it can be restored."
        confirmLabel="Overwrite"
        onConfirm={overwrite}
        onCancel={() => setOverwriting(undefined)}
      />
      <ConfirmModal
        open={releasing !== undefined}
        title={`Stop managing “${releasing?.title ?? ''}”?`}
        body="The page stays in Confluence exactly as it is, and people can edit it freely. Pagewire stops writing it and refuses its source’s updates to it from now on; the notice under the title goes away."
        confirmLabel="Stop managing"
        onConfirm={release}
        onCancel={() => setReleasing(undefined)}
      />
    </Stack>
  );
}
