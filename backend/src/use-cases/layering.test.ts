import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The one-way rules of the backend's core (docs/BACKEND.md, "Layers of the
 * core"), checked on the import specifiers of every source and test file.
 */
const src = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function filesUnder(folder: string): string[] {
  return readdirSync(join(src, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Where each relative import of a file points, as a path under src/ (`store/block-repository`). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\(\s*)'(\.{1,2}\/[^']+)'/g)].map(
    (match) => match[1]!,
  );
  return specifiers.map((specifier) => relative(src, resolve(dirname(file), specifier)));
}

function offending(folder: string, refuse: (target: string) => boolean): string[] {
  return filesUnder(folder).flatMap((file) =>
    importsOf(file)
      .filter(refuse)
      .map((target) => `${relative(src, file)} → ${target}`),
  );
}

describe('the layers of the backend core', () => {
  it('keeps the HTTP edge off the store: routers and operation handlers reach it only through use cases', () => {
    expect(offending('http', (target) => target.startsWith('store/') || target === 'store')).toEqual([]);
  });

  it('keeps the use cases below the edge and the composition: no HTTP, no compose, no publishing engine', () => {
    const above = (target: string) =>
      target.startsWith('http/') ||
      target === 'compose' ||
      target === 'backend' ||
      target === 'index' ||
      target.startsWith('publishing/');
    expect(offending('use-cases', above)).toEqual([]);
  });

  it('leaves wiring to compose.ts: only it (and the test helpers) build repositories', () => {
    const builders = ['http', 'use-cases', 'publishing/http'].flatMap((folder) =>
      filesUnder(folder)
        .filter((file) => /\bcreateRepositories\(/.test(readFileSync(file, 'utf8')))
        .map((file) => relative(src, file)),
    );
    expect(builders).toEqual([]);
  });

  it('keeps confluence/ a leaf: the client imports neither credentials nor the store', () => {
    expect(
      offending('confluence', (target) => target.startsWith('credentials/') || target.startsWith('store/')),
    ).toEqual([]);
  });
});

/** The workspaces' one-way rule (docs/ARCHITECTURE.md, "The layers"): package imports of @pagewire/*. */
const repositoryRoot = resolve(src, '../..');

function workspaceImports(workspace: string, { tests }: { tests: boolean }): string[] {
  const root = join(repositoryRoot, workspace);
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|tsx)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !file.includes('node_modules'))
    .filter((file) => tests || !/\.test\.tsx?$|\/test\/|\/testing\//.test(file))
    .flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/(?:from\s+|import\(\s*)'(@pagewire\/[a-z-]+)/g)].map(
        (match) => `${relative(repositoryRoot, file)} → ${match[1]}`,
      ),
    );
}

describe('the workspaces', () => {
  it('lets shared import no other workspace', () => {
    expect(
      workspaceImports('shared', { tests: true }).filter((line) => !line.endsWith('@pagewire/shared')),
    ).toEqual([]);
  });

  it('lets the devkit import only shared, tests included', () => {
    expect(
      workspaceImports('devkit', { tests: true }).filter((line) => !/@pagewire\/(shared|devkit)$/.test(line)),
    ).toEqual([]);
  });

  it('keeps the backend and the Forge app off the devkit and the local stack outside their tests', () => {
    const refused = (line: string) =>
      line.endsWith('@pagewire/devkit') || line.endsWith('@pagewire/local-stack');
    expect(workspaceImports('backend/src', { tests: false }).filter(refused)).toEqual([]);
    expect(workspaceImports('forge-app/src', { tests: false }).filter(refused)).toEqual([]);
  });

  it('lets the CLI import only shared outside its tests (it is published alone, with shared bundled in)', () => {
    expect(
      workspaceImports('cli', { tests: false }).filter((line) => !line.endsWith('@pagewire/shared')),
    ).toEqual([]);
  });
});
