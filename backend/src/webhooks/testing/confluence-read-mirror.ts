import { createHash } from 'node:crypto';
import type { ExportPageStatus } from '@pagewire/shared';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { BackendContext } from '../../backend';
import { isNotFoundError } from '../../confluence/errors';
import { createPacer } from '../../confluence/pacer';
import { pageSchema } from '../../confluence/schemas';
import { createConfluenceClientResolver } from '../../publishing/confluence-client-resolver';
import type { MirroredPage, PageMirrorPort } from '../page-mirror-port';

/**
 * A stand-in for the export mirror (backend/src/export/, issue 18) for the
 * webhooks' own tests and benchmark: it reads the page through the backend's
 * Confluence client and keeps one row per page in its own table, with the
 * same rule the real mirror has (the higher version wins; an unchanged page
 * answers null). The running product uses the export extension's mirror.
 */
interface TestMirrorTable {
  installation_id: string;
  page_id: string;
  page_json: string;
  version: number;
  status: string;
}

/** Its own table, made when the stand-in is built (test support: not one of the product's migrations). */
async function ensureTestMirrorTable(db: Pick<Kysely<unknown>, 'schema'>): Promise<void> {
  await db.schema
    .createTable('webhook_test_mirror')
    .ifNotExists()
    .addColumn('installation_id', 'text', (column) => column.notNull())
    .addColumn('page_id', 'text', (column) => column.notNull())
    .addColumn('page_json', 'text', (column) => column.notNull())
    .addColumn('version', 'integer', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('webhook_test_mirror_pk', ['installation_id', 'page_id'])
    .execute();
}

const spaceSchema = z.looseObject({ id: z.union([z.string(), z.number()]), key: z.string() });
const STATUSES: readonly ExportPageStatus[] = ['current', 'archived', 'trashed', 'deleted'];

export function createConfluenceReadMirror(context: BackendContext): PageMirrorPort {
  const db = context.db.withTables<{ webhook_test_mirror: TestMirrorTable }>();
  const clientFor = createConfluenceClientResolver({
    sources: context.credentialSources,
    mode: context.config.mode,
    now: context.now,
    installations: context.repositories.installations,
    allowedApiBase: context.config.atlassianApiBase.href.replace(/\/+$/, ''),
    pacer: createPacer(),
  });
  const spaceKeys = new Map<string, string>();
  const tableReady = ensureTestMirrorTable(context.db);

  async function readPage(installationId: string, spaceId: string, pageId: string) {
    await tableReady;
    const client = await clientFor.forJob().clientFor({ installationId, spaceKey: '' }, 'page.read');
    let spaceKey = spaceKeys.get(spaceId);
    if (spaceKey === undefined) {
      const space = await client.send({
        endpoint: 'space.read',
        method: 'GET',
        path: `/wiki/api/v2/spaces/${encodeURIComponent(spaceId)}`,
        schema: spaceSchema,
        resource: `space ${spaceId}`,
      });
      spaceKey = space.data.key;
      spaceKeys.set(spaceId, spaceKey);
    }
    for (const collection of ['pages', 'blogposts']) {
      try {
        const read = (format: 'atlas_doc_format' | 'storage') =>
          client.send({
            endpoint: 'page.read',
            method: 'GET',
            path: `/wiki/api/v2/${collection}/${encodeURIComponent(pageId)}`,
            query: { 'body-format': format },
            schema: pageSchema,
            resource: `page ${pageId}`,
          });
        let response = await read('atlas_doc_format');
        // A page a person wrote in the editor's storage format has no ADF body to hash.
        if (response.data.body?.atlas_doc_format?.value === undefined) response = await read('storage');
        return { page: response.data, spaceKey, baseUrl: client.baseUrl };
      } catch (error) {
        if (!isNotFoundError(error)) throw error;
      }
    }
    return { page: null, spaceKey, baseUrl: client.baseUrl };
  }

  return {
    async refreshPage(installationId, spaceId, pageId) {
      const read = await readPage(installationId, spaceId, pageId);
      const row = await db
        .selectFrom('webhook_test_mirror')
        .selectAll()
        .where('installation_id', '=', installationId)
        .where('page_id', '=', pageId)
        .executeTakeFirst();
      const before = row === undefined ? null : (JSON.parse(row.page_json) as MirroredPage);
      let after: MirroredPage;
      if (read.page === null) {
        if (before === null || before.status === 'deleted') return null;
        after = { ...before, status: 'deleted', updatedAt: context.now().toISOString() };
      } else {
        const page = read.page;
        const status = (STATUSES as readonly string[]).includes(page.status)
          ? (page.status as ExportPageStatus)
          : 'current';
        const body = page.body?.atlas_doc_format?.value ?? page.body?.storage?.value ?? '';
        after = {
          pageId,
          title: page.title,
          version: page.version.number,
          status,
          updatedAt: page.version.createdAt ?? context.now().toISOString(),
          checksum: createHash('sha256')
            .update(typeof body === 'string' ? body : JSON.stringify(body))
            .digest('hex'),
          url: `${read.baseUrl}/wiki/spaces/${read.spaceKey}/pages/${pageId}`,
          spaceKey: read.spaceKey,
        };
        if (before !== null) {
          if (before.version > after.version) return null;
          if (
            before.version === after.version &&
            before.status === after.status &&
            before.title === after.title
          )
            return null;
        }
      }
      const values = {
        page_json: JSON.stringify(after),
        version: after.version,
        status: after.status,
      };
      await db
        .insertInto('webhook_test_mirror')
        .values({ installation_id: installationId, page_id: pageId, ...values })
        .onConflict((conflict) => conflict.columns(['installation_id', 'page_id']).doUpdateSet(values))
        .execute();
      return { before, after };
    },
  };
}
