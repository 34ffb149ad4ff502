import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const DEV_MASTER_KEY_FILE = 'dev-master-key';

/**
 * With `PAGEWIRE_DEV=1` and no `PAGEWIRE_MASTER_KEY`, the local stack still
 * encrypts secrets, under a key generated once into the data directory (so
 * tokens survive a restart of `npm start`). The caller warns loudly: a key on
 * the same disk as the data protects nothing in production.
 */
export function loadOrCreateDevMasterKey(dataDir: string): { key: Buffer; path: string; created: boolean } {
  const directory = resolve(dataDir);
  const path = join(directory, DEV_MASTER_KEY_FILE);
  mkdirSync(directory, { recursive: true });
  const key = randomBytes(32);
  try {
    // 'wx' fails if the file exists, so two processes starting together agree on one key.
    writeFileSync(path, `${key.toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
    return { key, path, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const existing = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  if (existing.length !== 32) {
    throw new Error(`${path} does not hold a 32-byte base64 key; delete it to generate a new one`);
  }
  return { key: existing, path, created: false };
}
