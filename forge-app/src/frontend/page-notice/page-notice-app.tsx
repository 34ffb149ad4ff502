import { SectionMessage, Stack, Text } from '@forge/react';
import type { OperationOutput, ResolverError } from '@pagewire/shared';
import { useEffect, useState } from 'react';
import { LoadingSkeleton } from '../components/loading-skeleton';
import { ResolverErrorMessage } from '../components/resolver-error-message';
import { invokeOperation } from '../resolver-client';
import { describeAge } from '../time-display';

type Notice = OperationOutput<'pages.notice'>;
type Load =
  | { status: 'loading' }
  | { status: 'failed'; error: ResolverError }
  | { status: 'ready'; notice: Notice };

/**
 * What opens from the page's byline ("Published from a source"): the page is
 * written by Pagewire from a source system, and what happens to an edit made
 * here. It is shown only on pages that carry Pagewire's ownership property
 * (the manifest's display condition), so it never clutters other pages.
 */
export function PageNoticeApp({ now = () => new Date() }: { now?: () => Date }) {
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  useEffect(() => {
    let current = true;
    void invokeOperation('pages.notice', {}).then((result) => {
      if (!current) return;
      setLoad(
        result.ok ? { status: 'ready', notice: result.data } : { status: 'failed', error: result.error },
      );
    });
    return () => {
      current = false;
    };
  }, []);

  if (load.status === 'loading') return <LoadingSkeleton lines={2} />;
  if (load.status === 'failed') {
    return <ResolverErrorMessage title="Pagewire could not say who publishes this page" error={load.error} />;
  }
  return <NoticeText notice={load.notice} now={now()} />;
}

export function NoticeText({ notice, now }: { notice: Notice; now: Date }) {
  if (!notice.managed) {
    return (
      <SectionMessage
        appearance="information"
        title="Not managed by Pagewire"
        testId="pagewire-notice-released"
      >
        <Text>
          {notice.releasedAt
            ? `A space admin stopped Pagewire from managing this page ${describeAge(notice.releasedAt, now)}. Edit it freely: nothing overwrites it.`
            : 'Pagewire does not publish this page. Edit it freely: nothing overwrites it.'}
        </Text>
      </SectionMessage>
    );
  }
  const source = notice.source ? `“${notice.source}”` : 'a source system';
  const published = notice.lastPublishedAt ? `, last ${describeAge(notice.lastPublishedAt, now)}` : '';
  return (
    <Stack space="space.100" testId="pagewire-notice">
      <SectionMessage appearance="information" title={`Published from ${source}`}>
        <Text>{`Pagewire writes this page from ${source}${published} (external id ${notice.externalId ?? '—'}).`}</Text>
        <Text>
          {notice.onHumanEdit === 'overwrite'
            ? 'If you edit it here, the source’s next update replaces your edit. It stays in the page history.'
            : 'If you edit it here, your edit is kept: the source’s next update is held back, and a space admin decides in the Pagewire space settings whether to overwrite it or stop managing the page.'}
        </Text>
      </SectionMessage>
    </Stack>
  );
}
