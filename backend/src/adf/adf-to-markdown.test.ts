import type { AdfDocument, AdfNode } from '@pagewire/shared';
import { describe, expect, it } from 'vitest';
import { adfToMarkdown } from './adf-to-markdown';
import { adfToText } from './adf-to-text';
import { convertMarkdownToAdf } from './markdown-to-adf';
import { adfCorpus } from './testing/adf-corpus';

function doc(...content: AdfNode[]): AdfDocument {
  return { version: 1, type: 'doc', content };
}

function inParagraph(...content: AdfNode[]): AdfDocument {
  return doc({ type: 'paragraph', content });
}

function reimport(markdown: string): AdfNode[] {
  return convertMarkdownToAdf(markdown).document.content;
}

describe('ADF to Markdown: the comparison corpus', () => {
  it.each(adfCorpus.map((entry) => [entry.name, entry] as const))('renders %s right', (_, entry) => {
    expect(entry.check(adfToMarkdown(entry.document))).toBeUndefined();
  });

  it.each(adfCorpus.map((entry) => [entry.name, entry] as const))(
    'shows every word of %s that the plain-text export shows',
    (_, entry) => {
      const markdown = adfToMarkdown(entry.document).replace(/\\(.)/g, '$1');
      const words = adfToText(entry.document)
        .split(/[\s|]+/)
        .map((word) => word.replace(/^[[(\-*]+|[\]).:,]+$/g, ''))
        // `[media: …]` and `[macro: …]` are the plain-text markers; Markdown shows an image or the macro's JSON.
        .filter((word) => word.length > 1 && !/^\d+\.?$/.test(word) && word !== 'media' && word !== 'macro');
      for (const word of words) expect(markdown, word).toContain(word);
    },
  );
});

describe('ADF to Markdown: nodes without a Markdown form', () => {
  it('writes a mention as @Name, adding the @ when Confluence stored the bare name', () => {
    expect(adfToMarkdown(inParagraph({ type: 'mention', attrs: { id: 'abc', text: '@Ada' } }))).toBe(
      '@Ada\n',
    );
    expect(adfToMarkdown(inParagraph({ type: 'mention', attrs: { id: 'abc', text: 'Grace' } }))).toBe(
      '@Grace\n',
    );
    expect(adfToMarkdown(inParagraph({ type: 'mention', attrs: { id: '557058:abc' } }))).toBe(
      '@557058\\:abc\n',
    );
  });

  it('writes a status as the :status directive that Pagewire reads back as the same status', () => {
    const markdown = adfToMarkdown(inParagraph({ type: 'status', attrs: { text: 'DONE', color: 'green' } }));
    expect(markdown).toBe(':status[DONE]{color="green"}\n');
    expect(reimport(markdown)).toEqual([
      { type: 'paragraph', content: [{ type: 'status', attrs: { text: 'DONE', color: 'green' } }] },
    ]);
  });

  it('writes an emoji as the character, or its :shortName: when the node has no character', () => {
    expect(adfToMarkdown(inParagraph({ type: 'emoji', attrs: { shortName: ':tada:', text: '🎉' } }))).toBe(
      '🎉\n',
    );
    expect(adfToMarkdown(inParagraph({ type: 'emoji', attrs: { shortName: ':custom-party:' } }))).toContain(
      'custom-party:',
    );
  });

  it('writes a date as its UTC calendar day, whether the timestamp is in milliseconds or in seconds', () => {
    expect(
      adfToMarkdown(inParagraph({ type: 'date', attrs: { timestamp: String(Date.UTC(2026, 0, 31)) } })),
    ).toBe('2026-01-31\n');
    // The ADF reference's own example is in seconds.
    expect(adfToMarkdown(inParagraph({ type: 'date', attrs: { timestamp: '1582152559' } }))).toBe(
      '2020-02-19\n',
    );
    expect(adfToMarkdown(inParagraph({ type: 'date', attrs: { timestamp: 'soon' } }))).toBe('soon\n');
  });

  it('writes inline and block smart links as autolinks, and a card without URL as its name', () => {
    expect(adfToMarkdown(inParagraph({ type: 'inlineCard', attrs: { url: 'https://example.com/a' } }))).toBe(
      '<https://example.com/a>\n',
    );
    expect(adfToMarkdown(doc({ type: 'blockCard', attrs: { url: 'https://example.com/b' } }))).toBe(
      '<https://example.com/b>\n',
    );
    expect(
      adfToMarkdown(doc({ type: 'embedCard', attrs: { data: { url: 'https://example.com/c', name: 'C' } } })),
    ).toBe('<https://example.com/c>\n');
    expect(adfToMarkdown(inParagraph({ type: 'inlineCard', attrs: { data: { name: 'Roadmap' } } }))).toBe(
      'Roadmap\n',
    );
  });

  it('writes a macro as a fenced adf block holding the node, so nothing of it is lost', () => {
    const macro: AdfNode = {
      type: 'extension',
      attrs: {
        extensionType: 'com.atlassian.confluence.macro.core',
        extensionKey: 'children',
        parameters: {},
      },
    };
    const markdown = adfToMarkdown(doc(macro));
    expect(markdown.startsWith('```adf\n')).toBe(true);
    const [code] = reimport(markdown);
    expect(code?.type).toBe('codeBlock');
    expect(JSON.parse(String(code?.content?.[0]?.text))).toEqual(macro);
  });

  it('writes a macro with a body as its fenced adf block followed by the body as Markdown', () => {
    const markdown = adfToMarkdown(
      doc({
        type: 'bodiedExtension',
        attrs: { extensionType: 'x', extensionKey: 'details' },
        content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Body **text**' }] }],
      }),
    );
    expect(markdown).toContain('"extensionKey": "details"');
    expect(markdown).not.toContain('"content"');
    expect(markdown.endsWith('Body \\*\\*text\\*\\*\n')).toBe(true);
  });

  it('writes a macro with several bodies as its fenced adf block followed by every frame’s content', () => {
    const frame = (words: string): AdfNode => ({
      type: 'extensionFrame',
      attrs: { extensionType: 'x', extensionKey: 'tabs' },
      content: [{ type: 'paragraph', content: [{ type: 'text', text: words }] }],
    });
    const markdown = adfToMarkdown(
      doc({
        type: 'multiBodiedExtension',
        attrs: { extensionType: 'x', extensionKey: 'tabs' },
        content: [frame('First tab'), frame('Second tab')],
      }),
    );
    expect(markdown).toContain('"type": "multiBodiedExtension"');
    expect(markdown.endsWith('First tab\n\nSecond tab\n')).toBe(true);
  });

  it('writes an inline macro as [macro: its title or key]', () => {
    const node: AdfNode = {
      type: 'inlineExtension',
      attrs: { extensionKey: 'jira', parameters: { macroMetadata: { title: 'Jira issue' } } },
    };
    expect(adfToMarkdown(inParagraph({ type: 'text', text: 'see ' }, node))).toBe(
      'see \\[macro: Jira issue]\n',
    );
  });

  it('writes an external image as a Markdown image and a stored file as [media: …] with its name or id', () => {
    const external = doc({
      type: 'mediaSingle',
      content: [{ type: 'media', attrs: { type: 'external', url: 'https://x.test/a.png', alt: 'A' } }],
    });
    expect(adfToMarkdown(external)).toBe('![A](https://x.test/a.png)\n');
    expect(reimport(adfToMarkdown(external))[0]?.type).toBe('mediaSingle');
    const files = doc({
      type: 'mediaGroup',
      content: [
        { type: 'media', attrs: { type: 'file', id: 'f1', collection: 'c', alt: 'plan.pdf' } },
        { type: 'media', attrs: { type: 'file', id: 'f2', collection: 'c' } },
      ],
    });
    expect(adfToMarkdown(files)).toBe('\\[media: plan.pdf]\n\n\\[media: attachment f2]\n');
    expect(adfToMarkdown(inParagraph({ type: 'mediaInline', attrs: { id: 'f3', type: 'file' } }))).toBe(
      '\\[media: attachment f3]\n',
    );
  });

  it('keeps a media caption as an emphasised line under the image', () => {
    const markdown = adfToMarkdown(
      doc({
        type: 'mediaSingle',
        content: [
          { type: 'media', attrs: { type: 'external', url: 'https://x.test/a.png' } },
          { type: 'caption', content: [{ type: 'text', text: 'Figure 1' }] },
        ],
      }),
    );
    expect(markdown).toBe('![](https://x.test/a.png)\n\n*Figure 1*\n');
  });

  it('writes panels as ::: directives that Pagewire reads back as the same panel; a custom panel as :::note', () => {
    const warning = doc({
      type: 'panel',
      attrs: { panelType: 'warning' },
      content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Careful' }] }],
    });
    expect(adfToMarkdown(warning)).toBe(':::warning\nCareful\n:::\n');
    expect(reimport(adfToMarkdown(warning))).toEqual(warning.content);
    const custom = doc({ type: 'panel', attrs: { panelType: 'custom', panelColor: '#abcdef' }, content: [] });
    expect(adfToMarkdown(custom)).toBe(':::note\n:::\n');
  });

  it('writes an expand (and a nested expand) as :::expand[title] that Pagewire reads back', () => {
    const expand = doc({
      type: 'expand',
      attrs: { title: 'Details [v2]' },
      content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Inside' }] }],
    });
    const markdown = adfToMarkdown(expand);
    expect(markdown.startsWith(':::expand[Details')).toBe(true);
    expect(reimport(markdown)).toEqual(expand.content);
    expect(adfToMarkdown(doc({ type: 'nestedExpand', attrs: { title: 'N' }, content: [] }))).toBe(
      ':::expand[N]\n:::\n',
    );
  });

  it('writes layout columns one after the other, left first', () => {
    const markdown = adfToMarkdown(
      doc({
        type: 'layoutSection',
        content: ['Left', 'Middle', 'Right'].map((word) => ({
          type: 'layoutColumn',
          content: [{ type: 'paragraph', content: [{ type: 'text', text: word }] }],
        })),
      }),
    );
    expect(markdown).toBe('Left\n\nMiddle\n\nRight\n');
  });

  it('writes decisions as a list, telling decided from open ones', () => {
    const markdown = adfToMarkdown(
      doc({
        type: 'decisionList',
        content: [
          { type: 'decisionItem', attrs: { state: 'DECIDED' }, content: [{ type: 'text', text: 'Go' }] },
          { type: 'decisionItem', attrs: { state: 'UNDECIDED' }, content: [{ type: 'text', text: 'Maybe' }] },
        ],
      }),
    );
    expect(markdown).toBe('- Decision: Go\n- Decision (open): Maybe\n');
  });

  it('writes a node type it does not know as a fenced adf block, and an unknown inline node as code', () => {
    const block: AdfNode = { type: 'futureWidget', attrs: { size: 3 } };
    expect(adfToMarkdown(doc(block))).toBe(`\`\`\`adf\n${JSON.stringify(block, null, 2)}\n\`\`\`\n`);
    const inlineNode: AdfNode = { type: 'futureChip', attrs: { id: 'z' } };
    expect(adfToMarkdown(inParagraph({ type: 'text', text: 'a ' }, inlineNode))).toBe(
      `a \`${JSON.stringify(inlineNode)}\`\n`,
    );
  });

  it('keeps the words of an unknown container and of marks Markdown lacks', () => {
    expect(
      adfToMarkdown(
        doc({
          type: 'futureBox',
          content: [{ type: 'paragraph', content: [{ type: 'text', text: 'kept' }] }],
        }),
      ),
    ).toBe('kept\n');
    expect(
      adfToMarkdown(
        inParagraph({ type: 'text', text: 'x²', marks: [{ type: 'subsup', attrs: { type: 'sup' } }] }),
      ),
    ).toBe('x²\n');
  });
});

describe('ADF to Markdown: tables and text', () => {
  it('makes the first row the header even when Confluence marked no header, and pads merged cells', () => {
    const cell = (text: string, attrs?: Record<string, unknown>): AdfNode => ({
      type: 'tableCell',
      ...(attrs ? { attrs } : {}),
      content: [{ type: 'paragraph', content: [{ type: 'text', text }] }],
    });
    const markdown = adfToMarkdown(
      doc({
        type: 'table',
        content: [
          { type: 'tableRow', content: [cell('wide', { colspan: 2 })] },
          { type: 'tableRow', content: [cell('a'), cell('b')] },
        ],
      }),
    );
    expect(markdown).toBe('| wide |   |\n| ---- | - |\n| a    | b |\n');
  });

  it('writes a line break inside a table cell as <br>, which Pagewire reads back as a line break', () => {
    const table: AdfNode = {
      type: 'table',
      content: [
        {
          type: 'tableRow',
          content: [
            {
              type: 'tableHeader',
              content: [
                {
                  type: 'paragraph',
                  content: [
                    { type: 'text', text: 'one' },
                    { type: 'hardBreak' },
                    { type: 'text', text: 'two' },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const markdown = adfToMarkdown(doc(table));
    expect(markdown).toContain('one<br>two');
    expect(reimport(markdown)).toEqual([table]);
  });

  it('escapes text that would otherwise read as Markdown or as a Pagewire directive', () => {
    const text = '# *a* _b_ [c](d) <e> | `f` :status[g] ~~h~~ 1) ';
    const markdown = adfToMarkdown(inParagraph({ type: 'text', text: text.trim() }));
    expect(reimport(markdown)).toEqual([
      { type: 'paragraph', content: [{ type: 'text', text: text.trim() }] },
    ]);
    const directive = adfToMarkdown(inParagraph({ type: 'text', text: ':::info' }));
    expect(reimport(directive)).toEqual([
      { type: 'paragraph', content: [{ type: 'text', text: ':::info' }] },
    ]);
  });

  it('turns a bare web address in text into a link on the way back: GFM autolinks it and no escape prevents that', () => {
    const markdown = adfToMarkdown(inParagraph({ type: 'text', text: 'see www.example.com' }));
    const [paragraph] = reimport(markdown);
    expect(paragraph?.content?.[1]).toEqual({
      type: 'text',
      text: 'www.example.com',
      marks: [{ type: 'link', attrs: { href: 'http://www.example.com' } }],
    });
  });

  it('prints nothing for an empty document', () => {
    expect(adfToMarkdown(doc())).toBe('');
  });
});
