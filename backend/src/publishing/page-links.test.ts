import type { AdfDocument } from '@pagewire/shared';
import { describe, expect, it } from 'vitest';
import { linkedExternalIds, parsePageLink, resolvePageLinks } from './page-links';
import type { PageStanding } from './store/page-tree-repository';

function docWith(...hrefs: string[]): AdfDocument {
  return {
    version: 1,
    type: 'doc',
    content: hrefs.map((href, index) => ({
      type: 'paragraph',
      content: [
        {
          type: 'text',
          text: `link ${index}`,
          marks: [{ type: 'strong' }, { type: 'link', attrs: { href } }],
        },
      ],
    })),
  };
}

const urlOf = (pageId: string) => `https://acme.atlassian.net/wiki/spaces/ENG/pages/${pageId}`;

describe('page links', () => {
  it('reads the external id and the anchor of a pagewire:page link, and nothing else', () => {
    expect(parsePageLink('pagewire:page/docs~api#Auth')).toEqual({ externalId: 'docs~api', anchor: 'Auth' });
    expect(parsePageLink('pagewire:page/docs~api')).toEqual({ externalId: 'docs~api', anchor: null });
    expect(parsePageLink('pagewire:page/')).toBeNull();
    expect(parsePageLink('https://example.com')).toBeNull();
    expect(parsePageLink('pagewire:attachment/a.png')).toBeNull();
  });

  it('lists each linked page once', () => {
    const doc = docWith('pagewire:page/a', 'pagewire:page/b#x', 'pagewire:page/a#y', 'https://example.com');
    expect(linkedExternalIds(doc)).toEqual(['a', 'b']);
  });

  it('points a link at the written page, anchor kept, and leaves other marks and links alone', () => {
    const standings = new Map<string, PageStanding>([['a', { state: 'written', pageId: '42' }]]);
    const resolved = resolvePageLinks(
      docWith('pagewire:page/a#Setup', 'https://example.com'),
      standings,
      urlOf,
    );
    expect(resolved.warnings).toEqual([]);
    expect(resolved.unresolved).toEqual([]);
    expect(resolved.document.content[0]?.content?.[0]?.marks).toEqual([
      { type: 'strong' },
      { type: 'link', attrs: { href: `${urlOf('42')}#Setup` } },
    ]);
    expect(resolved.document.content[1]?.content?.[0]?.marks?.[1]).toEqual({
      type: 'link',
      attrs: { href: 'https://example.com' },
    });
  });

  it('turns links to pages not written yet into text, warning pending and missing targets apart', () => {
    const standings = new Map<string, PageStanding>([
      ['soon', { state: 'pending' }],
      ['never', { state: 'missing' }],
    ]);
    const resolved = resolvePageLinks(docWith('pagewire:page/soon', 'pagewire:page/never'), standings, urlOf);
    expect(resolved.document.content.map((block) => block.content?.[0])).toEqual([
      { type: 'text', text: 'link 0', marks: [{ type: 'strong' }] },
      { type: 'text', text: 'link 1', marks: [{ type: 'strong' }] },
    ]);
    expect(resolved.warnings.map((warning) => warning.code)).toEqual([
      'link_target_pending',
      'link_target_missing',
    ]);
    expect(resolved.unresolved).toEqual(['never', 'soon']);
  });
});
