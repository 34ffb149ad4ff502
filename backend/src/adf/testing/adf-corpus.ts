import type { AdfDocument, AdfNode } from '@pagewire/shared';
import type { Nodes, Root } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';

/**
 * The corpus behind docs/EXPORT.md's "ADF to Markdown" comparison: one ADF
 * document per construct Confluence pages hold, each with what a correct GFM
 * export must show. The checks parse the Markdown (CommonMark + GFM) and look
 * at structure where Markdown has the construct, and at the visible words
 * where it has not, so they judge any converter, not just Pagewire's.
 */
export interface CorpusCase {
  name: string;
  document: AdfDocument;
  /** Why the case fails, or undefined when the Markdown is right. */
  check: (markdown: string) => string | undefined;
}

const parser = unified().use(remarkParse).use(remarkGfm);

function parse(markdown: string): Root {
  return parser.runSync(parser.parse(markdown)) as Root;
}

function all(node: Nodes, type: string): Nodes[] {
  const found: Nodes[] = node.type === type ? [node] : [];
  if ('children' in node) for (const child of node.children) found.push(...all(child as Nodes, type));
  return found;
}

function words(node: Nodes): string {
  if ('value' in node && typeof node.value === 'string') return node.value;
  if (node.type === 'image') return node.alt ?? '';
  if ('children' in node) return node.children.map((child) => words(child as Nodes)).join('');
  return '';
}

function doc(...content: AdfNode[]): AdfDocument {
  return { version: 1, type: 'doc', content };
}

function p(...content: AdfNode[]): AdfNode {
  return { type: 'paragraph', content };
}

function t(text: string, ...marks: AdfNode['marks'] & object): AdfNode {
  return marks.length > 0 ? { type: 'text', text, marks } : { type: 'text', text };
}

/** Passes when every fragment is among the visible words of the rendered Markdown. */
function shows(...fragments: string[]): (markdown: string) => string | undefined {
  return (markdown) => {
    const visible = words(parse(markdown));
    const missing = fragments.filter(
      (fragment) => !visible.includes(fragment) && !markdown.includes(fragment),
    );
    return missing.length > 0
      ? `does not show ${missing.map((m) => JSON.stringify(m)).join(', ')}`
      : undefined;
  };
}

function expectNode(
  type: string,
  test: (node: Nodes) => boolean,
  failure: string,
): (markdown: string) => string | undefined {
  return (markdown) => (all(parse(markdown), type).some(test) ? undefined : failure);
}

const listItem = (...content: AdfNode[]): AdfNode => ({ type: 'listItem', content });
const cell = (type: 'tableHeader' | 'tableCell', ...content: AdfNode[]): AdfNode => ({ type, content });

export const adfCorpus: CorpusCase[] = [
  {
    name: 'headings',
    document: doc(
      { type: 'heading', attrs: { level: 1 }, content: [t('Title')] },
      { type: 'heading', attrs: { level: 3 }, content: [t('Sub')] },
    ),
    check: (md) => {
      const headings = all(parse(md), 'heading') as { depth: number }[];
      return headings.map((h) => h.depth).join() === '1,3' ? undefined : 'heading levels lost';
    },
  },
  {
    name: 'nested marks (bold italic, strike, code, bold link)',
    document: doc(
      p(
        t('both', { type: 'strong' }, { type: 'em' }),
        t(' '),
        t('gone', { type: 'strike' }),
        t(' '),
        t('code', { type: 'code' }),
        t(' '),
        t('site', { type: 'link', attrs: { href: 'https://example.com' } }, { type: 'strong' }),
      ),
    ),
    check: (md) => {
      const root = parse(md);
      const hasBoth = (type: string) => all(root, type).some((node) => words(node).includes('both'));
      if (!hasBoth('strong') || !hasBoth('emphasis')) return 'bold italic lost';
      if (!all(root, 'delete').some((node) => words(node) === 'gone')) return 'strikethrough lost';
      if (!all(root, 'inlineCode').some((node) => words(node) === 'code')) return 'inline code lost';
      const link = all(root, 'link').find((node) => 'url' in node && node.url === 'https://example.com');
      if (!link) return 'link lost';
      return all(root, 'strong').some((node) => words(node) === 'site') ? undefined : 'bold on the link lost';
    },
  },
  {
    name: 'link with a title',
    document: doc(
      p(t('docs', { type: 'link', attrs: { href: 'https://example.com/a_b', title: 'The docs' } })),
    ),
    check: expectNode(
      'link',
      (node) =>
        'url' in node &&
        node.url === 'https://example.com/a_b' &&
        'title' in node &&
        node.title === 'The docs',
      'link or its title lost',
    ),
  },
  {
    name: 'hard break',
    document: doc(p(t('line one'), { type: 'hardBreak' }, t('line two'))),
    check: expectNode('break', () => true, 'hard break lost'),
  },
  {
    name: 'nested bullet list',
    document: doc({
      type: 'bulletList',
      content: [listItem(p(t('outer')), { type: 'bulletList', content: [listItem(p(t('inner')))] })],
    }),
    check: (md) => {
      const lists = all(parse(md), 'list');
      return lists.length === 2 && words(lists[1]!).includes('inner') ? undefined : 'nesting lost';
    },
  },
  {
    name: 'ordered list starting at 3',
    document: doc({
      type: 'orderedList',
      attrs: { order: 3 },
      content: [listItem(p(t('third'))), listItem(p(t('fourth')))],
    }),
    check: expectNode(
      'list',
      (node) => 'ordered' in node && node.ordered === true && node.start === 3,
      'order or start lost',
    ),
  },
  {
    name: 'task list with a nested task list',
    document: doc({
      type: 'taskList',
      attrs: { localId: 'l1' },
      content: [
        { type: 'taskItem', attrs: { localId: 'a', state: 'DONE' }, content: [t('shipped')] },
        {
          type: 'taskList',
          attrs: { localId: 'l2' },
          content: [{ type: 'taskItem', attrs: { localId: 'b', state: 'TODO' }, content: [t('follow up')] }],
        },
      ],
    }),
    check: (md) => {
      const items = all(parse(md), 'listItem') as { checked?: boolean | null }[];
      const states = items.map((item) => item.checked).join();
      if (states !== 'true,false') return `task states read ${states || 'nothing'}`;
      return all(parse(md), 'list').length === 2 ? undefined : 'nesting lost';
    },
  },
  {
    name: 'code block with language and backticks inside',
    document: doc({ type: 'codeBlock', attrs: { language: 'ts' }, content: [t('const a = `x`;\n```\nend')] }),
    check: expectNode(
      'code',
      (node) => 'lang' in node && node.lang === 'ts' && node.value === 'const a = `x`;\n```\nend',
      'language or code lost',
    ),
  },
  {
    name: 'block quote',
    document: doc({ type: 'blockquote', content: [p(t('quoted'))] }),
    check: expectNode('blockquote', (node) => words(node) === 'quoted', 'quote lost'),
  },
  {
    name: 'rule',
    document: doc(p(t('above')), { type: 'rule' }, p(t('below'))),
    check: expectNode('thematicBreak', () => true, 'rule lost'),
  },
  {
    name: 'table with header, alignment and a pipe in a cell',
    document: doc({
      type: 'table',
      content: [
        {
          type: 'tableRow',
          content: [
            cell('tableHeader', p(t('Name'))),
            cell('tableHeader', {
              ...p(t('Count')),
              marks: [{ type: 'alignment', attrs: { align: 'end' } }],
            }),
          ],
        },
        {
          type: 'tableRow',
          content: [
            cell('tableCell', p(t('a|b'))),
            cell('tableCell', { ...p(t('2')), marks: [{ type: 'alignment', attrs: { align: 'end' } }] }),
          ],
        },
      ],
    }),
    check: (md) => {
      const table = all(parse(md), 'table')[0] as
        | { align?: (string | null)[]; children: Nodes[] }
        | undefined;
      if (!table) return 'no table';
      const cells = table.children.map((row) => (row as { children: Nodes[] }).children.map(words));
      if (
        JSON.stringify(cells) !==
        JSON.stringify([
          ['Name', 'Count'],
          ['a|b', '2'],
        ])
      )
        return `cells read ${JSON.stringify(cells)}`;
      return table.align?.[1] === 'right' ? undefined : 'alignment lost';
    },
  },
  {
    name: 'table cell with two paragraphs and a list',
    document: doc({
      type: 'table',
      content: [
        { type: 'tableRow', content: [cell('tableHeader', p(t('Notes')))] },
        {
          type: 'tableRow',
          content: [
            cell('tableCell', p(t('first')), p(t('second')), {
              type: 'bulletList',
              content: [listItem(p(t('point')))],
            }),
          ],
        },
      ],
    }),
    check: (md) => {
      const table = all(parse(md), 'table')[0];
      if (!table) return 'no table';
      const text = words(table);
      return ['first', 'second', 'point'].every((word) => text.includes(word))
        ? undefined
        : `cell reads ${JSON.stringify(text)}`;
    },
  },
  {
    name: 'Markdown characters in text',
    document: doc(
      p(t('*not emphasis* # not heading <b>not html</b> a_b_c [not](link) `tick`')),
      p(t('1. not a list')),
    ),
    check: (md) => {
      const root = parse(md);
      if (
        ['emphasis', 'strong', 'link', 'inlineCode', 'html', 'list', 'heading'].some(
          (type) => all(root, type).length > 0,
        )
      ) {
        return 'text turned into syntax';
      }
      return words(root).includes('*not emphasis* # not heading <b>not html</b> a_b_c [not](link) `tick`')
        ? undefined
        : 'text changed';
    },
  },
  {
    name: 'mention',
    document: doc(
      p(t('ask '), { type: 'mention', attrs: { id: '5b10a2844c20165700ede21g', text: '@Ada Lovelace' } }),
    ),
    check: shows('Ada Lovelace'),
  },
  {
    name: 'status',
    document: doc(
      p(t('state '), { type: 'status', attrs: { text: 'IN REVIEW', color: 'yellow', localId: 's1' } }),
    ),
    check: shows('IN REVIEW'),
  },
  {
    name: 'emoji',
    document: doc(
      p(t('nice '), { type: 'emoji', attrs: { shortName: ':grinning:', id: '1f600', text: '😀' } }),
    ),
    check: (md) =>
      md.includes('😀') || md.includes(':grinning:') || md.includes('\\:grinning:')
        ? undefined
        : 'emoji lost',
  },
  {
    name: 'date',
    document: doc(p(t('due '), { type: 'date', attrs: { timestamp: '1796342400000' } })),
    check: shows('2026-12-04'),
  },
  {
    name: 'inline card (smart link)',
    document: doc(
      p(t('see '), { type: 'inlineCard', attrs: { url: 'https://example.atlassian.net/wiki/x/AbC' } }),
    ),
    check: shows('https://example.atlassian.net/wiki/x/AbC'),
  },
  {
    name: 'block card',
    document: doc({ type: 'blockCard', attrs: { url: 'https://github.com/example/repo' } }),
    check: shows('https://github.com/example/repo'),
  },
  {
    name: 'extension (macro)',
    document: doc({
      type: 'extension',
      attrs: {
        extensionType: 'com.atlassian.confluence.macro.core',
        extensionKey: 'toc',
        parameters: { macroParams: { maxLevel: { value: '2' } } },
      },
    }),
    check: shows('toc'),
  },
  {
    name: 'bodied extension (macro with a body)',
    document: doc({
      type: 'bodiedExtension',
      attrs: { extensionType: 'com.atlassian.confluence.macro.core', extensionKey: 'details' },
      content: [p(t('inside the macro'))],
    }),
    check: shows('details', 'inside the macro'),
  },
  {
    name: 'inline extension',
    document: doc(
      p(t('now '), {
        type: 'inlineExtension',
        attrs: { extensionType: 'com.atlassian.confluence.macro.core', extensionKey: 'anchor' },
      }),
    ),
    check: shows('anchor'),
  },
  {
    name: 'external image (mediaSingle)',
    document: doc({
      type: 'mediaSingle',
      attrs: { layout: 'center' },
      content: [
        { type: 'media', attrs: { type: 'external', url: 'https://example.com/pic.png', alt: 'Chart' } },
      ],
    }),
    check: expectNode(
      'image',
      (node) => node.type === 'image' && node.url === 'https://example.com/pic.png' && node.alt === 'Chart',
      'image lost',
    ),
  },
  {
    name: 'attached file (mediaSingle, file)',
    document: doc({
      type: 'mediaSingle',
      attrs: { layout: 'center' },
      content: [
        {
          type: 'media',
          attrs: { type: 'file', id: 'f-123', collection: 'contentId-9', alt: 'diagram.png' },
        },
      ],
    }),
    check: shows('diagram.png'),
  },
  {
    name: 'media group',
    document: doc({
      type: 'mediaGroup',
      content: [
        { type: 'media', attrs: { type: 'file', id: 'f-1', collection: 'c' } },
        { type: 'media', attrs: { type: 'file', id: 'f-2', collection: 'c' } },
      ],
    }),
    check: shows('f-1', 'f-2'),
  },
  {
    name: 'panel',
    document: doc({ type: 'panel', attrs: { panelType: 'warning' }, content: [p(t('Mind the gap'))] }),
    check: shows('Mind the gap'),
  },
  {
    name: 'expand',
    document: doc({ type: 'expand', attrs: { title: 'More detail' }, content: [p(t('hidden text'))] }),
    check: shows('More detail', 'hidden text'),
  },
  {
    name: 'layout with two columns',
    document: doc({
      type: 'layoutSection',
      content: [
        { type: 'layoutColumn', attrs: { width: 50 }, content: [p(t('left column'))] },
        { type: 'layoutColumn', attrs: { width: 50 }, content: [p(t('right column'))] },
      ],
    }),
    check: shows('left column', 'right column'),
  },
  {
    name: 'decision list',
    document: doc({
      type: 'decisionList',
      attrs: { localId: 'd' },
      content: [
        { type: 'decisionItem', attrs: { localId: 'd1', state: 'DECIDED' }, content: [t('Ship on Friday')] },
      ],
    }),
    check: shows('Ship on Friday'),
  },
  {
    name: 'underline and colour (no Markdown form: words kept)',
    document: doc(
      p(
        t('underlined', { type: 'underline' }),
        t(' and '),
        t('red', { type: 'textColor', attrs: { color: '#ff0000' } }),
      ),
    ),
    check: shows('underlined', 'red'),
  },
];
