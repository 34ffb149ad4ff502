import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BACKEND_REMOTE_KEY, MACRO_MODULE_KEY, SPACE_SETTINGS_MODULE_KEY } from '../src/manifest-keys';
import { MACRO_OPERATIONS } from '../src/resolvers/macro-resolver';
import { SETTINGS_OPERATIONS } from '../src/resolvers/settings-resolver';

interface Manifest {
  modules: {
    macro: Array<{
      key: string;
      render?: string;
      viewportSize?: string;
      resolver: { function: string };
      adfExport: { function: string };
    }>;
    'confluence:spaceSettings': Array<{ key: string; resolver: { function: string } }>;
    function: Array<{ key: string; handler: string }>;
  };
  remotes: Array<{ key: string; operations: string[] }>;
}

async function readManifest(): Promise<Manifest> {
  const text = await readFile(path.resolve(import.meta.dirname, '../../manifest.yml'), 'utf8');
  return parse(text) as Manifest;
}

describe('the code and the manifest', () => {
  it('agree on the module keys the resolvers accept calls from', async () => {
    const manifest = await readManifest();
    expect(manifest.modules.macro.map((module) => module.key)).toEqual([MACRO_MODULE_KEY]);
    expect(manifest.modules['confluence:spaceSettings'].map((module) => module.key)).toEqual([
      SPACE_SETTINGS_MODULE_KEY,
    ]);
  });

  it('agree on the remote the resolvers invoke, which allows invokeRemote', async () => {
    const manifest = await readManifest();
    const backend = manifest.remotes.find((remote) => remote.key === BACKEND_REMOTE_KEY);
    expect(backend?.operations).toContain('compute');
  });

  it('point every function at a handler the app root actually exports', async () => {
    const manifest = await readManifest();
    const appRoot = await import('../../src/index');
    for (const fn of manifest.modules.function) {
      const [file, exportName] = fn.handler.split('.');
      expect(file).toBe('index');
      expect(typeof (appRoot as Record<string, unknown>)[exportName ?? '']).toBe('function');
    }
  });

  // https://developer.atlassian.com/platform/forge/manifest-reference/modules/macro/ documents viewportSize
  // as the display size of a resource, "remove this property to enable automatic resizing"; nothing documents
  // UI Kit (render: native) honouring it (docs/platform-notes.md#macro-viewport-size).
  it('let Confluence size the UI Kit macro to its content instead of declaring a viewportSize', async () => {
    const manifest = await readManifest();
    const macro = manifest.modules.macro[0];
    expect(macro?.render).toBe('native');
    expect(macro).not.toHaveProperty('viewportSize');
  });

  it('give the macro read access only and the settings page every settings operation', () => {
    expect([...MACRO_OPERATIONS].sort()).toEqual(['blocks.get', 'blocks.list']);
    expect(SETTINGS_OPERATIONS).not.toContain('lifecycle.installed');
    expect(SETTINGS_OPERATIONS).not.toContain('blocks.get');
  });
});
