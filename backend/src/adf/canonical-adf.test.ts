import { createHash } from 'node:crypto';
import type { AdfDocument } from '@pagewire/shared';
import { describe, expect, it } from 'vitest';
import { summariseDiff } from './adf-diff';
import { canonicalJsonWithAdf, hashAdf, hashPageContent, isAdfContainedIn } from './canonical-adf';

const para = (value: string) => ({ type: 'paragraph', content: [{ type: 'text', text: value }] });
const document = (...content: ReturnType<typeof para>[]): AdfDocument => ({
  version: 1,
  type: 'doc',
  content,
});

describe('canonical ADF hashing', () => {
  it('gives the same hash whatever the key order and mark order', () => {
    const a: AdfDocument = {
      version: 1,
      type: 'doc',
      content: [
        {
          type: 'paragraph',
          content: [{ type: 'text', text: 'x', marks: [{ type: 'em' }, { type: 'strong' }] }],
        },
      ],
    };
    const b = JSON.parse(
      '{"content":[{"content":[{"marks":[{"type":"strong"},{"type":"em"}],"text":"x","type":"text"}],"type":"paragraph","attrs":{}}],"type":"doc","version":1}',
    ) as AdfDocument;
    expect(hashAdf(a)).toBe(hashAdf(b));
  });

  it('changes the hash when one character of text changes', () => {
    expect(hashAdf(document(para('deploy ok')))).not.toBe(hashAdf(document(para('deploy OK'))));
  });

  it('counts a new title as a change of the page even with the same body', () => {
    const body = document(para('same'));
    expect(hashPageContent({ title: 'A', document: body })).not.toBe(
      hashPageContent({ title: 'B', document: body }),
    );
  });

  it('ignores the order and repetition of labels', () => {
    const body = document(para('same'));
    expect(hashPageContent({ title: 'A', document: body, labels: ['x', 'y'] })).toBe(
      hashPageContent({ title: 'A', document: body, labels: ['y', 'x', 'y'] }),
    );
  });
});

describe('hashes stored by earlier releases', () => {
  // Hashes are kept in the database (a page's last write, a snapshot's value):
  // if they moved, every page would be re-published and every snapshot rewritten once.
  const stored = {
    version: 1,
    type: 'doc',
    content: [
      {
        type: 'heading',
        attrs: { level: 2 },
        content: [
          {
            type: 'text',
            text: 'Déploiements',
            marks: [{ type: 'strong' }, { type: 'link', attrs: { href: 'https://x.example' } }],
          },
        ],
      },
      { type: 'paragraph', content: [], attrs: {} },
      {
        type: 'table',
        content: [
          {
            type: 'tableRow',
            content: [
              {
                type: 'tableCell',
                content: [
                  { type: 'paragraph', content: [{ type: 'status', attrs: { text: 'OK', color: 'green' } }] },
                ],
              },
            ],
          },
        ],
      },
    ],
  } as AdfDocument;

  it('still hashes a document, a page write and a snapshot value as they did', () => {
    expect(hashAdf(stored)).toBe('c9c7fdd533bd1b5d9cb6e2aaf66dde32e02414a04b780890bed0c3698e2cf7a2');
    expect(hashPageContent({ title: 'Release notes', document: stored, labels: ['b', 'a'] })).toBe(
      '8e2c9897844c0a1dff547feeab312e4de7202f5f28545dcc651797e371a96825',
    );
    const snapshot = {
      blockKey: 'deploys',
      revision: 4,
      title: 'Deploys',
      adf: stored,
      updatedAt: '2026-11-28T10:00:00.000Z',
    };
    expect(createHash('sha256').update(canonicalJsonWithAdf(snapshot)).digest('hex')).toBe(
      'd75e0f7e03f14815e092e6267b376af35c6abee52ca6c003fd9128dd14f71f4b',
    );
  });
});

describe('recognising our own write in what Confluence stored', () => {
  it('accepts the stored page when Confluence only added attributes of its own', () => {
    const sent = document(para('hello'));
    const stored = {
      version: 1,
      type: 'doc',
      content: [
        { type: 'paragraph', attrs: { localId: 'abc-123' }, content: [{ type: 'text', text: 'hello' }] },
      ],
    } as AdfDocument;
    expect(isAdfContainedIn(sent, stored)).toBe(true);
  });

  it('rejects the stored page when a person changed a word', () => {
    expect(isAdfContainedIn(document(para('hello')), document(para('hello world')))).toBe(false);
  });

  it('rejects the stored page when a block was added', () => {
    expect(isAdfContainedIn(document(para('a')), document(para('a'), para('b')))).toBe(false);
  });

  it('rejects the stored page when an attribute we set has another value', () => {
    const sent = {
      version: 1,
      type: 'doc',
      content: [{ type: 'heading', attrs: { level: 1 } }],
    } as AdfDocument;
    const stored = {
      version: 1,
      type: 'doc',
      content: [{ type: 'heading', attrs: { level: 2 } }],
    } as AdfDocument;
    expect(isAdfContainedIn(sent, stored)).toBe(false);
  });
});

describe('the dry-run diff summary', () => {
  it('counts blocks only in the new document as added and only in the page as removed', () => {
    const diff = summariseDiff({
      current: document(para('keep'), para('old')),
      next: document(para('keep'), para('new one'), para('new two')),
      currentTitle: 'T',
      nextTitle: 'T',
      currentLabels: ['a'],
      nextLabels: ['a', 'b'],
    });
    expect(diff).toEqual({ added: 2, removed: 1, titleChanged: false, labelsAdded: ['b'] });
  });

  it('does not count a block that only moved', () => {
    const diff = summariseDiff({
      current: document(para('one'), para('two')),
      next: document(para('two'), para('one')),
      currentTitle: 'T',
      nextTitle: 'U',
      currentLabels: [],
      nextLabels: [],
    });
    expect(diff).toEqual({ added: 0, removed: 0, titleChanged: true, labelsAdded: [] });
  });

  it('counts every block as added for a page that does not exist yet', () => {
    const diff = summariseDiff({
      current: null,
      next: document(para('a'), para('b')),
      currentTitle: null,
      nextTitle: 'T',
      currentLabels: [],
      nextLabels: ['x'],
    });
    expect(diff).toEqual({ added: 2, removed: 0, titleChanged: false, labelsAdded: ['x'] });
  });
});
