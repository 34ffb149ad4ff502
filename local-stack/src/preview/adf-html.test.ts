import { describe, expect, it } from 'vitest';
import { renderAdfNodes, renderStorage } from './adf-html';

describe('showing a page body', () => {
  it('renders the ADF Pagewire publishes: headings, lists, code, tables and links', () => {
    const html = renderAdfNodes([
      { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Contacts' }] },
      {
        type: 'bulletList',
        content: [
          {
            type: 'listItem',
            content: [
              { type: 'paragraph', content: [{ type: 'text', text: 'one', marks: [{ type: 'strong' }] }] },
            ],
          },
        ],
      },
      { type: 'codeBlock', attrs: { language: 'sh' }, content: [{ type: 'text', text: 'kubectl get pods' }] },
      {
        type: 'paragraph',
        content: [
          { type: 'text', text: 'docs', marks: [{ type: 'link', attrs: { href: 'https://example.com/a' } }] },
        ],
      },
      {
        type: 'table',
        content: [
          {
            type: 'tableRow',
            content: [
              {
                type: 'tableHeader',
                content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Role' }] }],
              },
            ],
          },
        ],
      },
    ]);
    expect(html).toContain('<h2>Contacts</h2>');
    expect(html).toContain('<li><p><strong>one</strong></p></li>');
    expect(html).toContain('kubectl get pods');
    expect(html).toContain('href="https://example.com/a"');
    expect(html).toContain('<th><p>Role</p></th>');
  });

  it('keeps a javascript: link as plain text', () => {
    const html = renderAdfNodes([
      {
        type: 'paragraph',
        content: [
          { type: 'text', text: 'click', marks: [{ type: 'link', attrs: { href: 'javascript:alert(1)' } }] },
        ],
      },
    ]);
    expect(html).toBe('<p>click</p>');
  });

  it('hands macros to the caller and marks nodes it does not know', () => {
    const html = renderAdfNodes(
      [
        { type: 'extension', attrs: { extensionKey: 'app/env/static/pagewire-block' } },
        { type: 'layoutSection', content: [] },
      ],
      { extension: () => '<div id="macro"></div>' },
    );
    expect(html).toContain('<div id="macro"></div>');
    expect(html).toContain('Not shown in the preview: layoutSection');
  });

  it('shows storage-format markup other than plain formatting as text', () => {
    const html = renderStorage(
      '<p class="x">Hello <strong>you</strong></p><script>alert(1)</script><ac:structured-macro ac:name="toc"/>',
    );
    expect(html).toContain('<p>Hello <strong>you</strong></p>');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#60;script&#62;');
    expect(html).not.toContain('<ac:');
  });
});
