import { createMemoryPacerStore, type PacerStore } from '../confluence/pacer-store';
import { openDatabase } from '../store/database';
import { createPostgresPacerStore } from '../store/pacer-store-postgres';
import { postgresTarget, postgresTestUrl } from '../store/testing/test-databases';

/** Where two replicas keep the pacing budget they share. */
export interface SharedPacerStoreTarget {
  readonly name: 'memory' | 'postgres';
  /** The same, in words for a test name. */
  readonly description: string;
  /** One store per replica: the same store twice in memory, two connections to one fresh schema on PostgreSQL. */
  open(): Promise<{ stores: [PacerStore, PacerStore]; dispose(): Promise<void> }>;
}

const memory: SharedPacerStoreTarget = {
  name: 'memory',
  description: 'one shared store',
  async open() {
    const store = createMemoryPacerStore();
    return { stores: [store, store], dispose: async () => {} };
  },
};

function postgres(url: string): SharedPacerStoreTarget {
  return {
    name: 'postgres',
    description: 'a shared PostgreSQL store',
    async open() {
      const first = await postgresTarget(url).open();
      const second = await openDatabase(first.url);
      return {
        stores: [createPostgresPacerStore(first.database.db), createPostgresPacerStore(second.db)],
        async dispose() {
          await second.close();
          await first.dispose();
        },
      };
    },
  };
}

/** Memory always; PostgreSQL too when `PAGEWIRE_TEST_POSTGRES_URL` is set. */
export function sharedPacerStoreTargets(
  env: Record<string, string | undefined> = process.env,
): SharedPacerStoreTarget[] {
  const url = postgresTestUrl(env);
  return url === null ? [memory] : [memory, postgres(url)];
}
