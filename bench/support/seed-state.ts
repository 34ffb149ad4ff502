import type { BlockPayload } from '@pagewire/shared';
import { hashBlockPayload } from '../../backend/src/domain/block-content-hash';
import { openDatabase } from '../../backend/src/store/database';
import { migrations } from '../../backend/src/store/migrations';
import { migrateToLatest } from '../../backend/src/store/migrator';
import { createRepositories } from '../../backend/src/store/repositories';
import { metricsBlock, statusBlock } from './forge-calls';

export interface SeedTenant {
  installationId: string;
  cloudId: string;
  apiBaseUrl: string;
}

export const SEEDED_SPACE_KEY = 'OPS';

export function seededBlockKey(index: number): string {
  return `block-${String(index).padStart(4, '0')}`;
}

/** Four kinds in turn, each the size a real source sends (a few hundred bytes to ~2 KB of JSON). */
function seededBlock(serial: number): BlockPayload {
  switch (serial % 4) {
    case 0:
      return statusBlock(serial);
    case 1:
      return metricsBlock(`Service ${serial % 50}`, serial);
    case 2:
      return {
        kind: 'table',
        title: 'On-call this week',
        content: {
          columns: [
            { key: 'team', title: 'Team' },
            { key: 'person', title: 'On call' },
            { key: 'pages', title: 'Pages', format: 'number' },
          ],
          rows: ['payments', 'search', 'identity', 'billing', 'mobile', 'data'].map((team, index) => ({
            team,
            person: `person-${(serial + index) % 40}`,
            pages: (serial * 7 + index) % 23,
          })),
        },
      } as BlockPayload;
    default:
      return {
        kind: 'markdown',
        title: 'Release notes',
        content: `## Release ${serial}\n\n- Faster search on large spaces\n- Fixed a crash when a page title held an emoji\n- **Breaking:** the \`v1\` export is gone; use \`/v2/export\` (see [the guide](https://example.com/guide))\n\n| area | owner |\n| --- | --- |\n| search | team-a |\n| export | team-b |\n`,
      } as BlockPayload;
  }
}

/**
 * Writes `blocksPerTenant` blocks for each tenant into a SQLite file through
 * the backend's own migrations and repositories, so the rows are exactly what
 * ingest stores (content hash, revision, timestamps). Written in transactions
 * of a thousand rows: seeding is set-up, not what is measured.
 */
export async function seedState(options: {
  databaseUrl: string;
  tenants: readonly SeedTenant[];
  blocksPerTenant: number;
  log?: (message: string) => void;
}): Promise<void> {
  const database = await openDatabase(options.databaseUrl);
  try {
    await migrateToLatest(database, migrations);
    const now = new Date();
    let serial = 0;
    const batch = Math.max(1, Math.floor(1000 / options.blocksPerTenant));
    for (let start = 0; start < options.tenants.length; start += batch) {
      const tenants = options.tenants.slice(start, start + batch);
      await database.db.transaction().execute(async (trx) => {
        const repositories = createRepositories(trx);
        for (const tenant of tenants) {
          await repositories.installations.record({ ...tenant, environmentType: 'DEVELOPMENT' }, now);
          for (let index = 0; index < options.blocksPerTenant; index++) {
            const payload = seededBlock(serial++);
            await repositories.blocks.write({
              installationId: tenant.installationId,
              spaceKey: SEEDED_SPACE_KEY,
              key: seededBlockKey(index),
              payload,
              contentHash: hashBlockPayload(payload),
              source: 'bench-seed',
              now,
            });
          }
        }
      });
      if (start % (batch * 100) === 0) options.log?.(`seeded ${start + tenants.length} tenants`);
    }
  } finally {
    await database.close();
  }
}
