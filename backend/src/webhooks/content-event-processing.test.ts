import type { ContentEventPayload } from '@pagewire/shared';
import { describe, expect, it } from 'vitest';
import { actorOf, typeOfChange } from './content-event-processing';
import type { MirroredPage } from './page-mirror-port';

const page = (overrides: Partial<MirroredPage> = {}): MirroredPage => ({
  pageId: '65601',
  title: 'Runbook',
  version: 3,
  status: 'current',
  updatedAt: '2026-12-04T12:00:00.000Z',
  checksum: 'c',
  url: 'https://example.atlassian.net/wiki/spaces/DOCS/pages/65601',
  spaceKey: 'DOCS',
  ...overrides,
});

const event = (
  eventType: ContentEventPayload['eventType'],
  type: 'page' | 'blogpost' = 'page',
): ContentEventPayload => ({
  eventType,
  atlassianId: '557058:person',
  content: { id: '65601', type, status: 'current', title: 'Runbook', space: { id: 98306, key: 'DOCS' } },
});

describe('what a content event becomes', () => {
  it('takes the type from the event when the status did not change', () => {
    expect(
      typeOfChange(event('avi:confluence:updated:page'), { before: page({ version: 2 }), after: page() }),
    ).toBe('page.updated');
    expect(typeOfChange(event('avi:confluence:moved:page'), { before: page(), after: page() })).toBe(
      'page.moved',
    );
    expect(
      typeOfChange(event('avi:confluence:created:blogpost', 'blogpost'), {
        before: null,
        after: page({ version: 1 }),
      }),
    ).toBe('blogpost.created');
  });

  it('follows the status the mirror saw when the event is out of date', () => {
    const current = page();
    expect(
      typeOfChange(event('avi:confluence:updated:page'), {
        before: current,
        after: page({ status: 'trashed' }),
      }),
    ).toBe('page.trashed');
    expect(
      typeOfChange(event('avi:confluence:updated:page'), {
        before: current,
        after: page({ status: 'deleted' }),
      }),
    ).toBe('page.deleted');
    expect(
      typeOfChange(event('avi:confluence:updated:page'), {
        before: current,
        after: page({ status: 'archived' }),
      }),
    ).toBe('page.archived');
    expect(
      typeOfChange(event('avi:confluence:updated:page'), {
        before: page({ status: 'trashed' }),
        after: current,
      }),
    ).toBe('page.restored');
    expect(
      typeOfChange(event('avi:confluence:updated:page'), {
        before: page({ status: 'archived' }),
        after: current,
      }),
    ).toBe('page.unarchived');
  });

  it('names the person from the event, else the version’s author', () => {
    expect(actorOf(event('avi:confluence:updated:page'))).toBe('557058:person');
    const { atlassianId: _, ...withoutActor } = event('avi:confluence:updated:page');
    expect(
      actorOf({
        ...withoutActor,
        content: { ...withoutActor.content, history: { createdBy: { accountId: '557058:author' } } },
      }),
    ).toBe('557058:author');
    expect(actorOf(withoutActor)).toBeNull();
  });
});
