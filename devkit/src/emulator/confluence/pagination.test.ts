import { describe, expect, it } from 'vitest';
import { encodeCursor, listPage, parseCursor, parseLimit } from './pagination';

describe('pagination', () => {
  it('round-trips its own cursors and refuses anything else', () => {
    expect(parseCursor(new URLSearchParams({ cursor: encodeCursor(75) }))).toEqual({ ok: true, offset: 75 });
    for (const cursor of ['abc', 'pw1.!!!', `pw1.${Buffer.from('{"offset":-1}').toString('base64url')}`]) {
      expect(parseCursor(new URLSearchParams({ cursor })).ok, cursor).toBe(false);
    }
  });

  it('defaults limit to 25 and bounds it to 1–250', () => {
    expect(parseLimit(new URLSearchParams())).toEqual({ ok: true, limit: 25 });
    expect(parseLimit(new URLSearchParams({ limit: '250' }))).toEqual({ ok: true, limit: 250 });
    expect(parseLimit(new URLSearchParams({ limit: '251' })).ok).toBe(false);
    expect(parseLimit(new URLSearchParams({ limit: '-1' })).ok).toBe(false);
  });

  it('keeps the other query parameters in the next link and charges a point per item plus one', () => {
    const result = listPage(
      ['a', 'b', 'c'],
      { offset: 0, limit: 2 },
      {
        wikiPath: '/wiki/api/v2/pages',
        query: new URLSearchParams({ title: 'x y', limit: '2' }),
        siteWikiBase: 'http://s/wiki',
      },
      (item) => item,
    );
    const body = result.body as { results: string[]; _links: { next: string } };
    expect(body.results).toEqual(['a', 'b']);
    expect(body._links.next).toBe(`/wiki/api/v2/pages?title=x+y&limit=2&cursor=${encodeCursor(2)}`);
    expect(result.points).toBe(3);
  });
});
