import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEV_MASTER_KEY_FILE, loadOrCreateDevMasterKey } from './dev-master-key';

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('the development master key', () => {
  it('is generated once into the data directory, readable by its owner only, and read back the next time', () => {
    dir = mkdtempSync(join(tmpdir(), 'pagewire-devkey-'));
    const first = loadOrCreateDevMasterKey(dir);
    expect(first.created).toBe(true);
    expect(first.path).toBe(join(dir, DEV_MASTER_KEY_FILE));
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    const second = loadOrCreateDevMasterKey(dir);
    expect(second.created).toBe(false);
    expect(second.key.equals(first.key)).toBe(true);
  });
});
