import { describe, expect, it } from 'vitest';
import { byTestId, renderWithStubBridge, textOf } from '../../../test/support/ui-kit-harness';
import { PageNoticeApp } from './page-notice-app';

const NOW = new Date('2026-11-28T10:00:00Z');
const context = {
  moduleKey: 'pagewire-page-notice',
  extension: { type: 'confluence:contentBylineItem', content: { id: '65601', type: 'page' } },
};

function renderNotice(data: unknown) {
  return renderWithStubBridge(<PageNoticeApp now={() => NOW} />, {
    context,
    resolve: (functionKey) => {
      if (functionKey !== 'pages.notice') throw new Error(`unexpected invoke ${functionKey}`);
      return { ok: true, data };
    },
  });
}

describe('the page notice', () => {
  it('tells an editor the page is published from its source and that an edit is kept and held for an admin', async () => {
    const app = renderNotice({
      managed: true,
      externalId: 'runbook',
      source: 'ci',
      title: 'Checkout runbook',
      lastPublishedAt: '2026-11-28T09:00:00Z',
      onHumanEdit: 'skip',
    });
    const tree = await app.waitFor((node) => !!byTestId(node, 'pagewire-notice'), 'the notice');
    const text = textOf(byTestId(tree, 'pagewire-notice')!);
    expect(text).toContain('Pagewire writes this page from “ci”');
    expect(text).toContain('1 hour ago');
    expect(text).toContain('your edit is kept');
    expect(app.invocations.map((call) => call.functionKey)).toEqual(['pages.notice']);
  });

  it('warns that an edit is replaced when the source publishes with overwrite', async () => {
    const app = renderNotice({
      managed: true,
      externalId: 'status',
      source: 'pager',
      onHumanEdit: 'overwrite',
    });
    const tree = await app.waitFor((node) => !!byTestId(node, 'pagewire-notice'), 'the notice');
    expect(textOf(byTestId(tree, 'pagewire-notice')!)).toContain(
      'the source’s next update replaces your edit',
    );
  });

  it('says a released page is no longer managed, and since when', async () => {
    const app = renderNotice({ managed: false, externalId: 'runbook', releasedAt: '2026-11-28T09:30:00Z' });
    const tree = await app.waitFor((node) => !!byTestId(node, 'pagewire-notice-released'), 'the notice');
    expect(textOf(byTestId(tree, 'pagewire-notice-released')!)).toContain(
      'stopped Pagewire from managing this page 30 min ago',
    );
  });
});
