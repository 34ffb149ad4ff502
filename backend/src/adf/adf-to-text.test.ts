import type { AdfDocument, AdfNode } from '@pagewire/shared';
import { describe, expect, it } from 'vitest';
import { adfToText } from './adf-to-text';

function doc(...content: AdfNode[]): AdfDocument {
  return { version: 1, type: 'doc', content };
}

const p = (...content: AdfNode[]): AdfNode => ({ type: 'paragraph', content });
const t = (text: string, marks?: AdfNode['marks']): AdfNode =>
  marks ? { type: 'text', text, marks } : { type: 'text', text };
const item = (...content: AdfNode[]): AdfNode => ({ type: 'listItem', content });

describe('ADF to plain text', () => {
  it('keeps the words, drops the formatting, and keeps blocks apart by a blank line', () => {
    const text = adfToText(
      doc(
        { type: 'heading', attrs: { level: 1 }, content: [t('Release notes')] },
        p(
          t('Bold', [{ type: 'strong' }]),
          t(' and '),
          t('linked', [{ type: 'link', attrs: { href: 'https://x.test' } }]),
        ),
        { type: 'codeBlock', attrs: { language: 'sh' }, content: [t('npm test\nnpm run build')] },
      ),
    );
    expect(text).toBe('Release notes\n\nBold and linked\n\nnpm test\nnpm run build\n');
  });

  it('writes lists one item a line with their markers, nested lists indented, ordered lists from their start', () => {
    const text = adfToText(
      doc(
        {
          type: 'bulletList',
          content: [
            item(p(t('outer')), {
              type: 'orderedList',
              attrs: { order: 4 },
              content: [item(p(t('four'))), item(p(t('five')))],
            }),
          ],
        },
        {
          type: 'taskList',
          content: [
            { type: 'taskItem', attrs: { state: 'DONE' }, content: [t('done')] },
            {
              type: 'taskList',
              content: [{ type: 'taskItem', attrs: { state: 'TODO' }, content: [t('open')] }],
            },
          ],
        },
      ),
    );
    expect(text).toBe('- outer\n  4. four\n  5. five\n\n[x] done\n    [ ] open\n');
  });

  it('writes a table one row a line with cells apart by a bar', () => {
    const cell = (type: string, words: string): AdfNode => ({ type, content: [p(t(words))] });
    const text = adfToText(
      doc({
        type: 'table',
        content: [
          { type: 'tableRow', content: [cell('tableHeader', 'Name'), cell('tableHeader', 'Role')] },
          { type: 'tableRow', content: [cell('tableCell', 'Ada'), cell('tableCell', 'Engineer')] },
        ],
      }),
    );
    expect(text).toBe('Name | Role\nAda | Engineer\n');
  });

  it('writes the nodes without words of their own in readable form', () => {
    const text = adfToText(
      doc(
        p(
          { type: 'mention', attrs: { id: 'a', text: '@Ada' } },
          t(' '),
          { type: 'status', attrs: { text: 'DONE', color: 'green' } },
          t(' '),
          { type: 'emoji', attrs: { shortName: ':tada:', text: '🎉' } },
          t(' '),
          { type: 'date', attrs: { timestamp: String(Date.UTC(2026, 11, 4)) } },
          t(' '),
          { type: 'inlineCard', attrs: { url: 'https://x.test/card' } },
          { type: 'hardBreak' },
          { type: 'inlineExtension', attrs: { extensionKey: 'anchor' } },
        ),
        { type: 'extension', attrs: { extensionKey: 'toc' } },
        { type: 'bodiedExtension', attrs: { extensionKey: 'details' }, content: [p(t('macro body'))] },
        {
          type: 'mediaSingle',
          content: [{ type: 'media', attrs: { type: 'file', id: 'f1', alt: 'plan.png' } }],
        },
        { type: 'panel', attrs: { panelType: 'info' }, content: [p(t('in a panel'))] },
        { type: 'expand', attrs: { title: 'More' }, content: [p(t('hidden'))] },
        {
          type: 'decisionList',
          content: [{ type: 'decisionItem', attrs: { state: 'DECIDED' }, content: [t('Ship it')] }],
        },
        {
          type: 'layoutSection',
          content: [
            { type: 'layoutColumn', content: [p(t('left'))] },
            { type: 'layoutColumn', content: [p(t('right'))] },
          ],
        },
        { type: 'blockCard', attrs: { url: 'https://x.test/block' } },
      ),
    );
    expect(text).toBe(
      `${[
        '@Ada [DONE] 🎉 2026-12-04 https://x.test/card\n[macro: anchor]',
        '[macro: toc]',
        '[macro: details]\n\nmacro body',
        '[media: plan.png]',
        'in a panel',
        'More\n\nhidden',
        'Decision: Ship it',
        'left\n\nright',
        'https://x.test/block',
      ].join('\n\n')}\n`,
    );
  });

  it('gives an empty string for an empty document and for empty paragraphs', () => {
    expect(adfToText(doc())).toBe('');
    expect(adfToText(doc({ type: 'paragraph' }))).toBe('');
  });
});
