import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { migrations } from './index';

const here = fileURLToPath(new URL('.', import.meta.url));
const backendSrc = fileURLToPath(new URL('../../', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => `${entry.parentPath}/${entry.name}`);
}

describe('the migration index', () => {
  it('lists every migration file once, under the name of its file', () => {
    const files = readdirSync(here)
      .filter((name) => /^\d{4}-.+\.ts$/.test(name) && !name.endsWith('.test.ts'))
      .map((name) => name.slice(0, -'.ts'.length))
      .sort();
    expect(migrations.map((entry) => entry.name).sort()).toEqual(files);
  });

  it('names each migration NNNN-words, once, in ascending order', () => {
    const names = migrations.map((entry) => entry.name);
    for (const name of names) expect(name).toMatch(/^\d{4}-[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual(names);
  });

  it('keeps the names existing databases recorded', () => {
    // Renaming a released migration makes a database miss it and run it again.
    expect(migrations.map((entry) => entry.name)).toEqual(
      expect.arrayContaining([
        '0001-tenants-and-blocks',
        '0002-credentials',
        '0010-fit-token-uses',
        '0030-app-token-refusals',
        '0031-installation-uninstall',
        '0040-placement-content-type',
        '0060-deleted-blocks',
        '0061-activity-human-edit',
        '0100-publishing-queue',
        '0110-one-request-writes',
        '0130-publish-jobs-by-space',
        '0300-confluence-pacer',
      ]),
    );
  });

  it('leaves no part of the backend casting the database to reach its tables', () => {
    // Joined here so that this file does not contain the text it looks for.
    const cast = ['as', 'unknown', 'as', 'Kysely<'].join(' ');
    const offenders = sourceFiles(backendSrc).filter((file) => readFileSync(file, 'utf8').includes(cast));
    expect(offenders).toEqual([]);
  });
});
