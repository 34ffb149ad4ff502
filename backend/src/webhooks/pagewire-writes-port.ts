import type { Kysely } from 'kysely';
import type { PageIdentityRepository } from '../publishing/store/page-identity-repository';
import type { HumanEdit } from '../publishing/store/queue-repository';
import type { PublishingTables, Tables } from '../store/schema';

/**
 * Whether a page version is Pagewire's own write, told from what the
 * publishing engine records, and the mark a person's edit of a managed page
 * leaves at once (docs/WEBHOOKS.md, "Pagewire's own changes").
 */
export interface PagewireWritesPort {
  classify(input: {
    installationId: string;
    spaceKey: string;
    pageId: string;
    title: string;
    version: number;
  }): Promise<{ isPagewire: boolean; managed: boolean }>;
  /** Marks a managed page as edited by a person (no-op for a page Pagewire does not manage). */
  markHumanEdit(installationId: string, pageId: string, edit: HumanEdit): Promise<boolean>;
}

/**
 * Read-only over the publishing engine's tables. A version is Pagewire's when
 * the engine recorded writing it (`publish_pages.last_version`), or when a
 * worker is writing it right now: the engine records its intent (the page and
 * target version of an update, the title of a create) before it calls
 * Confluence, and the event can arrive before the write's answer does. The
 * intents are read first: the engine saves the page record before it clears
 * the intent, so one of the two reads always sees a write of Pagewire's.
 */
export function createPublishingWritesPort(
  db: Kysely<Tables>,
  identities: PageIdentityRepository,
): PagewireWritesPort {
  return {
    async classify({ installationId, spaceKey, pageId, title, version }) {
      const intents = await db
        .selectFrom('publish_work')
        .select('intent_json')
        .where('installation_id', '=', installationId)
        .where('space_key', '=', spaceKey)
        .where('intent_json', 'is not', null)
        .execute();
      const inFlight = intents.some(({ intent_json }) => {
        const intent = JSON.parse(intent_json ?? 'null') as {
          action?: string;
          pageId?: string;
          targetVersion?: number;
          title?: string;
        } | null;
        if (intent === null) return false;
        if (intent.action === 'update') return intent.pageId === pageId && intent.targetVersion === version;
        return intent.action === 'create' && version === 1 && intent.title === title;
      });
      const record = await db
        .selectFrom('publish_pages')
        .select('last_version')
        .where('installation_id', '=', installationId)
        .where('page_id', '=', pageId)
        .executeTakeFirst();
      const managed = record !== undefined;
      return { isPagewire: inFlight || (managed && Number(record.last_version) === version), managed };
    },
    markHumanEdit: (installationId, pageId, edit) => identities.markHumanEdit(installationId, pageId, edit),
  };
}

/** Without the publishing engine nothing is Pagewire's own and nothing is managed. */
export const NO_PAGEWIRE_WRITES: PagewireWritesPort = {
  async classify() {
    return { isPagewire: false, managed: false };
  },
  async markHumanEdit() {
    return false;
  },
};
