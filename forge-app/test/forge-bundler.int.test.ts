import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusBlockOutput } from './support/fixtures';
import { declareForgeWorld, macroContext, type ResolverHandler } from './support/forge-world';
import { data } from './support/scripted-backend';
import type { ForgeDoc } from './support/ui-kit-harness';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '../..');
const script = path.resolve(import.meta.dirname, '../scripts/bundle-with-forge.cjs');
const require = createRequire(import.meta.url);

interface BundleReport {
  functions: { dir: string; files: string[] };
  resources: Record<string, { dir: string; files: string[] }>;
  warnings: string[];
}

let appRoot: string;
let report: BundleReport;
const world = declareForgeWorld();

/**
 * The repository as the Forge CLI sees the app root: every entry is the
 * repository's own (through symlinks, the root tsconfig.json included — it
 * allows emitting because ts-loader refuses a noEmit config), only the
 * manifest is a copy, so the bundler's scratch files never land in the tree.
 */
async function prepareAppRoot(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pagewire-forge-bundle-'));
  for (const entry of [
    'src',
    'forge-app',
    'shared',
    'node_modules',
    'package.json',
    'tsconfig.json',
    'tsconfig.base.json',
  ]) {
    await symlink(path.join(repoRoot, entry), path.join(dir, entry));
  }
  await copyFile(path.join(repoRoot, 'manifest.yml'), path.join(dir, 'manifest.yml'));
  return dir;
}

beforeAll(async () => {
  appRoot = await prepareAppRoot();
  const { stdout } = await run(process.execPath, [script, appRoot], {
    cwd: repoRoot,
    maxBuffer: 16 * 1024 * 1024,
  });
  report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as BundleReport;
}, 300_000);

afterAll(async () => {
  const dirs = [appRoot, report?.functions.dir, ...Object.values(report?.resources ?? {}).map((r) => r.dir)];
  await Promise.all(dirs.filter(Boolean).map((dir) => rm(dir as string, { recursive: true, force: true })));
});

describe('the app bundled by @forge/bundler, as forge deploy bundles it', () => {
  it('builds one CommonJS function bundle exporting every handler the manifest names', async () => {
    expect(report.functions.files).toContain('index.cjs');
    const bundle = require(path.join(report.functions.dir, 'index.cjs')) as Record<string, unknown>;

    expect(typeof bundle.macroResolver).toBe('function');
    expect(typeof bundle.settingsResolver).toBe('function');
    expect(typeof bundle.macroAdfExport).toBe('function');
    // @pagewire/shared arrives as TypeScript through the workspace symlink and is compiled in.
    const source = await readFile(path.join(report.functions.dir, 'index.cjs'), 'utf8');
    expect(source).toContain('pagewire.snapshot.');
    expect(report.warnings).toEqual([]);
  });

  it('answers a macro invocation from the bundle on the devkit’s Forge runtime', async () => {
    const bundle = require(path.join(report.functions.dir, 'index.cjs')) as {
      macroResolver: ResolverHandler;
    };
    const w = await world.setUp();
    w.backend.answer('blocks.get', data(statusBlockOutput));

    const result = await w.runtime.invoke(bundle.macroResolver, {
      key: 'blocks.get',
      payload: { key: 'deploy-status' },
      context: macroContext(w.site, w.site.member.accountId),
    });

    expect(result).toEqual({ ok: true, data: statusBlockOutput });
    expect(w.backend.received.map((call) => call.path)).toEqual(['/forge/v1/blocks.get']);
  });

  it('builds a browser bundle per UI Kit resource, and the bundled macro renders through a bridge', async () => {
    expect(Object.keys(report.resources).sort()).toEqual(['macro', 'page-notice', 'space-settings']);
    const macro = report.resources.macro!;
    expect(macro.files).toEqual(expect.arrayContaining(['index.html', 'macro.js']));

    const trees = await runUiBundle(path.join(macro.dir, 'macro.js'), {
      getContext: {
        moduleKey: 'pagewire-block',
        extension: { type: 'macro', space: { id: '98306', key: 'ENG' } },
      },
      // The bundle also registers the macro config (addConfig), which lists the space's blocks.
      invoke: (functionKey) =>
        functionKey === 'blocks.list'
          ? { ok: true, data: { blocks: [] } }
          : { ok: true, data: statusBlockOutput },
      until: (tree) => findText(tree).includes('Choose a block to show'),
    });

    expect(trees.map((tree) => tree.type)).toEqual(expect.arrayContaining(['Root', 'MacroConfig']));
    expect(findText(trees.filter((tree) => tree.type === 'Root').at(-1)!)).toContain(
      'Choose a block to show',
    );
  });

  it('renders the bundled page notice: who publishes the page and what an edit does', async () => {
    const notice = report.resources['page-notice']!;
    const trees = await runUiBundle(path.join(notice.dir, 'page-notice.js'), {
      getContext: {
        moduleKey: 'pagewire-page-notice',
        extension: { type: 'confluence:contentBylineItem', content: { id: '4242', type: 'page' } },
      },
      invoke: () => ({
        ok: true,
        data: {
          managed: true,
          externalId: 'runbook',
          source: 'ci',
          title: 'Runbook',
          lastPublishedAt: '2026-11-28T09:00:00Z',
          onHumanEdit: 'skip',
        },
      }),
      until: (tree) => findText(tree).includes('Pagewire writes this page from “ci”'),
    });
    const text = findText(trees.at(-1)!);
    expect(text).toContain('your edit is kept');
  });

  it('renders the bundled settings page from its resolver’s answer', async () => {
    const settings = report.resources['space-settings']!;

    const trees = await runUiBundle(path.join(settings.dir, 'space-settings.js'), {
      getContext: { moduleKey: 'pagewire-space-settings', extension: { type: 'confluence:spaceSettings' } },
      invoke: (functionKey) =>
        functionKey === 'activity.list'
          ? { ok: true, data: { items: [], nextCursor: null } }
          : functionKey === 'blocks.overview'
            ? { ok: true, data: { blocks: [] } }
            : functionKey === 'pages.list'
              ? { ok: true, data: { pages: [] } }
              : functionKey === 'webhooks.list'
                ? { ok: true, data: { subscriptions: [] } }
                : {
                    ok: true,
                    data: {
                      space: { key: 'ENG', id: '98306' },
                      mode: 'marketplace',
                      canEdit: false,
                      settings: { publishingPolicy: 'live', staleAfterMinutes: 60 },
                      appToken: { status: 'ok', expiresAt: null },
                      apiToken: null,
                      requiredApiTokenScopes: [],
                      ingestKeys: [],
                      ingestUrl: null,
                      export: {
                        settings: { enabled: false, includeRestricted: false },
                        keys: [],
                        sync: {
                          state: 'off',
                          lastFullSyncAt: null,
                          nextSyncAt: null,
                          pages: 0,
                          lastError: null,
                        },
                        exportUrl: null,
                      },
                    },
                  },
      until: (tree) => findText(tree).includes('You can view these settings'),
    });

    expect(findText(trees.at(-1)!)).toContain('Sources & ingest keys');
  });
});

/**
 * Runs a UI Kit browser bundle in a fresh V8 context whose only connection to
 * the outside is a bridge, like the sandbox Confluence runs it in, and collects
 * the ForgeDoc trees it reconciles until `until` holds (or a deadline passes).
 */
async function runUiBundle(
  file: string,
  options: {
    getContext: Record<string, unknown>;
    invoke: (functionKey: string, payload: unknown) => unknown;
    until: (tree: ForgeDoc) => boolean;
  },
): Promise<ForgeDoc[]> {
  const trees: ForgeDoc[] = [];
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const callBridge = (
    command: string,
    data: { forgeDoc?: ForgeDoc; functionKey?: string; payload?: unknown },
  ) => {
    if (command === 'reconcile' && data.forgeDoc) {
      const tree = JSON.parse(JSON.stringify(data.forgeDoc)) as ForgeDoc;
      trees.push(tree);
      if (options.until(tree)) done();
      return undefined;
    }
    if (command === 'getContext') return Promise.resolve(options.getContext);
    if (command === 'invoke') return Promise.resolve(options.invoke(data.functionKey ?? '', data.payload));
    if (command === 'on') return Promise.resolve({ unsubscribe() {} });
    return Promise.resolve(undefined);
  };
  const sandbox: Record<string, unknown> = {
    console,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    queueMicrotask,
    TextEncoder,
    TextDecoder,
    URL,
    crypto: globalThis.crypto,
    structuredClone,
    __bridge: { callBridge },
  };
  sandbox.self = sandbox;
  sandbox.window = sandbox;
  // webpack's `publicPath: 'auto'` locates its chunks from the running script.
  sandbox.document = { currentScript: { tagName: 'SCRIPT', src: `file://${file}` } };
  vm.runInNewContext(await readFile(file, 'utf8'), sandbox, { filename: file });
  const deadline = new Promise<void>((resolve) => setTimeout(resolve, 15_000).unref());
  await Promise.race([finished, deadline]);
  return trees;
}

function findText(tree: ForgeDoc): string {
  const texts: string[] = [];
  const visit = (node: ForgeDoc) => {
    if (node.type === 'String') texts.push(String(node.props.text ?? ''));
    for (const value of Object.values(node.props)) if (typeof value === 'string') texts.push(value);
    for (const child of node.children) visit(child);
  };
  visit(tree);
  return texts.join(' ');
}
