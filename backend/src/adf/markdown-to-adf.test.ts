import type { AdfNode } from '@pagewire/shared';
import { createAdfValidator } from '@pagewire/shared/adf-validator';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convertMarkdownToAdf } from './markdown-to-adf';

const validator = createAdfValidator();

/** Converts and insists the result is valid ADF, as the publisher does before sending. */
function convert(markdown: string) {
  const result = convertMarkdownToAdf(markdown);
  const validation = validator.validate(result.document);
  if (!validation.valid) {
    throw new Error(
      `invalid ADF for ${JSON.stringify(markdown)}: ${JSON.stringify(validation.errors)}\n${JSON.stringify(result.document)}`,
    );
  }
  return result;
}

function blocks(markdown: string): AdfNode[] {
  return convert(markdown).document.content;
}

describe('Markdown to ADF', () => {
  it('turns headings of every level into ADF headings with the same level', () => {
    const content = blocks('# One\n\n## Two\n\n###### Six');
    expect(content).toEqual([
      { type: 'heading', attrs: { level: 1 }, content: [{ type: 'text', text: 'One' }] },
      { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Two' }] },
      { type: 'heading', attrs: { level: 6 }, content: [{ type: 'text', text: 'Six' }] },
    ]);
  });

  it('keeps paragraphs apart and joins soft line breaks with a space', () => {
    expect(blocks('first line\nsame paragraph\n\nsecond')).toEqual([
      { type: 'paragraph', content: [{ type: 'text', text: 'first line same paragraph' }] },
      { type: 'paragraph', content: [{ type: 'text', text: 'second' }] },
    ]);
  });

  it('marks emphasis, strong, strikethrough and inline code, nesting marks', () => {
    const [para] = blocks('*em* **strong** ~~gone~~ `code` ***both***');
    expect(para?.content).toEqual([
      { type: 'text', text: 'em', marks: [{ type: 'em' }] },
      { type: 'text', text: ' ' },
      { type: 'text', text: 'strong', marks: [{ type: 'strong' }] },
      { type: 'text', text: ' ' },
      { type: 'text', text: 'gone', marks: [{ type: 'strike' }] },
      { type: 'text', text: ' ' },
      { type: 'text', text: 'code', marks: [{ type: 'code' }] },
      { type: 'text', text: ' ' },
      { type: 'text', text: 'both', marks: [{ type: 'em' }, { type: 'strong' }] },
    ]);
  });

  it('drops formatting ADF cannot combine with inline code, but keeps a link around it', () => {
    const [para] = blocks('**`bold code`** [`linked code`](https://example.com)');
    expect(para?.content).toEqual([
      { type: 'text', text: 'bold code', marks: [{ type: 'code' }] },
      { type: 'text', text: ' ' },
      {
        type: 'text',
        text: 'linked code',
        marks: [{ type: 'link', attrs: { href: 'https://example.com' } }, { type: 'code' }],
      },
    ]);
  });

  it('turns inline links, reference links and autolinks into link marks with their titles', () => {
    const [para] = blocks(
      '[inline](https://a.example "Title") [ref][r] <https://auto.example> www.gfm.example\n\n[r]: https://ref.example',
    );
    const links = (para?.content ?? [])
      .filter((node) => node.marks?.some((mark) => mark.type === 'link'))
      .map((node) => [node.text, node.marks?.find((mark) => mark.type === 'link')?.attrs]);
    expect(links).toEqual([
      ['inline', { href: 'https://a.example', title: 'Title' }],
      ['ref', { href: 'https://ref.example' }],
      ['https://auto.example', { href: 'https://auto.example' }],
      ['www.gfm.example', { href: 'http://www.gfm.example' }],
    ]);
  });

  it('refuses javascript: links and says so, keeping the link text', () => {
    const result = convert('[click me](javascript:alert(1))');
    expect(result.document.content).toEqual([
      { type: 'paragraph', content: [{ type: 'text', text: 'click me' }] },
    ]);
    expect(result.notes).toEqual([expect.objectContaining({ construct: 'link', line: 1 })]);
  });

  it('turns bullet and ordered lists into ADF lists, keeping the start number', () => {
    const content = blocks('- a\n- b\n\n3. three\n4. four');
    expect(content[0]).toEqual({
      type: 'bulletList',
      content: [
        { type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'a' }] }] },
        { type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'b' }] }] },
      ],
    });
    expect(content[1]).toMatchObject({ type: 'orderedList', attrs: { order: 3 } });
    expect(content[1]?.content).toHaveLength(2);
  });

  it('nests lists inside list items', () => {
    const [list] = blocks('- outer\n  - inner\n    1. deepest');
    const outerItem = list?.content?.[0];
    expect(outerItem?.content?.[0]).toEqual({
      type: 'paragraph',
      content: [{ type: 'text', text: 'outer' }],
    });
    const inner = outerItem?.content?.[1];
    expect(inner?.type).toBe('bulletList');
    expect(inner?.content?.[0]?.content?.[1]?.type).toBe('orderedList');
  });

  it('turns GFM task lists into ADF task lists with states and stable local ids', () => {
    const content = blocks('- [ ] write it\n- [x] ship it\n  - [ ] nested');
    expect(content).toEqual([
      {
        type: 'taskList',
        attrs: { localId: 'task-list-1' },
        content: [
          {
            type: 'taskItem',
            attrs: { localId: 'task-1', state: 'TODO' },
            content: [{ type: 'text', text: 'write it' }],
          },
          {
            type: 'taskItem',
            attrs: { localId: 'task-2', state: 'DONE' },
            content: [{ type: 'text', text: 'ship it' }],
          },
          {
            type: 'taskList',
            attrs: { localId: 'task-list-2' },
            content: [
              {
                type: 'taskItem',
                attrs: { localId: 'task-3', state: 'TODO' },
                content: [{ type: 'text', text: 'nested' }],
              },
            ],
          },
        ],
      },
    ]);
  });

  it('splits a list mixing task items and plain items into one list of each kind', () => {
    const content = blocks('- [ ] task\n- plain\n- [x] done');
    expect(content.map((node) => node.type)).toEqual(['taskList', 'bulletList', 'taskList']);
  });

  it('turns fenced code into a code block with its language, and indented code without one', () => {
    const content = blocks('```ts\nconst a = 1;\n```\n\n    indented');
    expect(content).toEqual([
      { type: 'codeBlock', attrs: { language: 'ts' }, content: [{ type: 'text', text: 'const a = 1;' }] },
      { type: 'codeBlock', content: [{ type: 'text', text: 'indented' }] },
    ]);
  });

  it('turns block quotes into ADF block quotes and fits a heading inside as bold text', () => {
    const [quote] = blocks('> ## Said\n> quoted *words*\n>\n> > nested');
    expect(quote).toEqual({
      type: 'blockquote',
      content: [
        { type: 'paragraph', content: [{ type: 'text', text: 'Said', marks: [{ type: 'strong' }] }] },
        {
          type: 'paragraph',
          content: [
            { type: 'text', text: 'quoted ' },
            { type: 'text', text: 'words', marks: [{ type: 'em' }] },
          ],
        },
        { type: 'paragraph', content: [{ type: 'text', text: 'nested' }] },
      ],
    });
  });

  it('turns GFM tables into ADF tables with a header row and aligned cells', () => {
    const [tableNode] = blocks('| Name | Count |\n| :--- | ----: |\n| a | 1 |\n| b |');
    expect(tableNode?.type).toBe('table');
    const [header, first, second] = tableNode?.content ?? [];
    expect(header?.content?.map((cell) => cell.type)).toEqual(['tableHeader', 'tableHeader']);
    expect(first?.content?.[1]).toEqual({
      type: 'tableCell',
      content: [
        {
          type: 'paragraph',
          marks: [{ type: 'alignment', attrs: { align: 'end' } }],
          content: [{ type: 'text', text: '1' }],
        },
      ],
    });
    // A short row is padded so every row has the header's width.
    expect(second?.content).toHaveLength(2);
  });

  it('turns horizontal rules and hard line breaks into rule and hardBreak nodes', () => {
    const content = blocks('line one  \nline two\n\n---');
    expect(content[0]?.content).toEqual([
      { type: 'text', text: 'line one' },
      { type: 'hardBreak' },
      { type: 'text', text: 'line two' },
    ]);
    expect(content[1]).toEqual({ type: 'rule' });
  });

  it('shows a standalone image as external media and an inline image as a link', () => {
    const content = blocks(
      '![Diagram](https://img.example/d.png)\n\nsee ![icon](https://img.example/i.png) here',
    );
    expect(content[0]).toEqual({
      type: 'mediaSingle',
      attrs: { layout: 'center' },
      content: [
        { type: 'media', attrs: { type: 'external', url: 'https://img.example/d.png', alt: 'Diagram' } },
      ],
    });
    expect(content[1]?.content?.[1]).toEqual({
      type: 'text',
      text: 'icon',
      marks: [{ type: 'link', attrs: { href: 'https://img.example/i.png' } }],
    });
  });

  it('turns :::info and the other panel directives into ADF panels, with the label as a heading', () => {
    const content = blocks(
      ':::info[Heads up]\nThe **deploy** runs at noon.\n:::\n\n:::warning\nCareful\n:::\n\n:::danger\nAlias\n:::',
    );
    expect(content[0]).toEqual({
      type: 'panel',
      attrs: { panelType: 'info' },
      content: [
        { type: 'heading', attrs: { level: 3 }, content: [{ type: 'text', text: 'Heads up' }] },
        {
          type: 'paragraph',
          content: [
            { type: 'text', text: 'The ' },
            { type: 'text', text: 'deploy', marks: [{ type: 'strong' }] },
            { type: 'text', text: ' runs at noon.' },
          ],
        },
      ],
    });
    expect(content[1]).toMatchObject({ type: 'panel', attrs: { panelType: 'warning' } });
    expect(content[2]).toMatchObject({ type: 'panel', attrs: { panelType: 'error' } });
  });

  it('turns :::expand into an expand section with its title', () => {
    const [expand] = blocks(':::expand[Details]\n| a |\n|---|\n| 1 |\n:::');
    expect(expand).toMatchObject({ type: 'expand', attrs: { title: 'Details' } });
    expect(expand?.content?.[0]?.type).toBe('table');
  });

  it('turns :status[…]{color=…} into a status lozenge', () => {
    const [para] = blocks('Build :status[Passing]{color=green} today');
    expect(para?.content?.[1]).toEqual({ type: 'status', attrs: { text: 'Passing', color: 'green' } });
  });

  it('leaves text that merely looks like a directive exactly as written', () => {
    const [para] = blocks('Meet at 10:30, see a:b and :unknown[x]');
    expect(para?.content).toEqual([{ type: 'text', text: 'Meet at 10:30, see a:b and :unknown[x]' }]);
  });

  it('renders footnotes as numbered superscripts with the notes listed at the end', () => {
    const content = blocks('Claim[^src] and more[^two].\n\n[^two]: Second.\n[^src]: First.');
    expect(content[0]?.content).toContainEqual({
      type: 'text',
      text: '[1]',
      marks: [{ type: 'subsup', attrs: { type: 'sup' } }],
    });
    expect(content.at(-2)).toEqual({ type: 'rule' });
    const notes = content.at(-1);
    expect(notes?.type).toBe('orderedList');
    expect(notes?.content?.map((item) => item.content?.[0]?.content?.[0]?.text)).toEqual([
      'First.',
      'Second.',
    ]);
  });

  it('shows raw HTML it cannot convert inside a visible warning panel, and reports it', () => {
    const result = convert('Intro\n\n<div class="x">raw</div>\n\nafter');
    expect(result.document.content[1]).toEqual({
      type: 'panel',
      attrs: { panelType: 'warning' },
      content: [
        {
          type: 'paragraph',
          content: [
            {
              type: 'text',
              text: 'Pagewire could not convert this HTML (line 3); the source is shown as code.',
            },
          ],
        },
        {
          type: 'codeBlock',
          attrs: { language: 'html' },
          content: [{ type: 'text', text: '<div class="x">raw</div>' }],
        },
      ],
    });
    expect(result.notes).toEqual([expect.objectContaining({ construct: 'HTML', line: 3 })]);
  });

  it('keeps inline HTML visible as code, except <br> which is a line break', () => {
    const result = convert('a<br>b <kbd>Ctrl</kbd>');
    expect(result.document.content[0]?.content).toEqual([
      { type: 'text', text: 'a' },
      { type: 'hardBreak' },
      { type: 'text', text: 'b ' },
      { type: 'text', text: '<kbd>', marks: [{ type: 'code' }] },
      { type: 'text', text: 'Ctrl' },
      { type: 'text', text: '</kbd>', marks: [{ type: 'code' }] },
    ]);
    expect(result.notes.map((note) => note.construct)).toEqual(['inline HTML', 'inline HTML']);
  });

  it('warns visibly about an unknown container directive and still shows its content', () => {
    const result = convert(':::mystery\nhidden *text*\n:::');
    expect(result.document.content[0]).toMatchObject({ type: 'panel', attrs: { panelType: 'warning' } });
    expect(result.document.content[1]?.content?.[0]).toEqual({ type: 'text', text: 'hidden ' });
    expect(result.notes).toEqual([expect.objectContaining({ construct: 'directive :::mystery' })]);
  });

  it('fits a table inside a list item as one line per row, so no words are lost', () => {
    const [list] = blocks('- item\n\n  | a | b |\n  |---|---|\n  | 1 | 2 |');
    const item = list?.content?.[0];
    expect(item?.content?.slice(1)).toEqual([
      { type: 'paragraph', content: [{ type: 'text', text: '| a | b |' }] },
      { type: 'paragraph', content: [{ type: 'text', text: '| 1 | 2 |' }] },
    ]);
  });

  it('gives an empty document for empty Markdown', () => {
    expect(blocks('')).toEqual([]);
  });

  it('produces the same document for the same Markdown every time', () => {
    const markdown = '- [ ] a\n- [x] b\n\n:::note\nx\n:::';
    expect(convertMarkdownToAdf(markdown)).toEqual(convertMarkdownToAdf(markdown));
  });

  it('produces valid ADF for any Markdown, however odd', () => {
    const pieces = fc.constantFrom(
      '# h',
      '- item',
      '  - nested',
      '- [ ] task',
      '1. one',
      '> quote',
      '> # quoted heading',
      '```js\nx\n```',
      '| a | b |\n|---|---|\n| 1 | 2 |',
      ':::info\npanel\n:::',
      ':::expand[t]\n- x\n:::',
      '---',
      '*em* **strong** ~~s~~ `c`',
      '[l](https://x.example)',
      '![i](https://x.example/i.png)',
      '<b>html</b>',
      'text:with:colons',
      'note[^1]\n\n[^1]: n',
      '   ',
      '\\',
      '<!-- comment -->',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(pieces, fc.string({ maxLength: 20 })), { maxLength: 12 }), (parts) => {
        const markdown = parts.join('\n');
        const validation = validator.validate(convertMarkdownToAdf(markdown).document);
        expect(validation, markdown).toEqual({ valid: true });
      }),
      { numRuns: 300 },
    );
  });
});
