/**
 * Bundles the app with `@forge/bundler`, the webpack toolchain `forge deploy`
 * runs, offline: the function bundle from the manifest's handlers (root
 * `src/index.ts`, which re-exports `forge-app/src` and pulls `@pagewire/shared`
 * through its workspace symlink) and one UI Kit bundle per manifest resource.
 *
 * Two things `forge deploy` does are not reproducible offline and are replaced
 * here, openly:
 *  - the Node runtime wrapper and loader (`__forge__.cjs`) are downloaded from
 *    Atlassian's CDN; a stand-in provider returns a placeholder script, which
 *    the bundler only copies next to the bundle;
 *  - the CLI reads the manifest through its own config reader; this reads the
 *    same `manifest.yml` with `yaml`.
 *
 * It is CommonJS (`.cts`, started by `bundle-with-forge.cjs`) because the
 * bundler's webpack config requires `require.main`, which an ES module entry
 * point does not have.
 *
 * Usage: node forge-app/scripts/bundle-with-forge.cjs <app root>
 * Prints one JSON line: { functions: {dir, files}, resources: {key: {dir, files}}, warnings }.
 */
const fs = require('node:fs/promises') as typeof import('node:fs/promises');
const path = require('node:path') as typeof import('node:path');

interface ManifestShape {
  modules: { function?: Array<{ key: string; handler: string }> };
  resources?: Array<{ key: string; path: string }>;
}

interface BundleReport {
  functions: { dir: string; files: string[] };
  resources: Record<string, { dir: string; files: string[] }>;
  warnings: string[];
}

async function bundleApp(appRoot: string): Promise<BundleReport> {
  const bundler = require('@forge/bundler') as typeof import('@forge/bundler');
  const { parse } = require('yaml') as typeof import('yaml');
  const manifest = parse(await fs.readFile(path.join(appRoot, 'manifest.yml'), 'utf8')) as ManifestShape;

  const warnings: string[] = [];
  const logger = {
    info: () => {},
    debug: () => {},
    trace: () => {},
    warn: (message: string) => warnings.push(message),
    error: (message: string) => warnings.push(message),
  } as never;
  const placeholderRuntime = {
    script: '// The Forge Node runtime loader is downloaded from Atlassian at deploy time.\n',
    source: 'offline-placeholder',
    version: 'offline',
  };
  const wrapperProvider = {
    getNodeRuntimeWrapper: async () => placeholderRuntime,
    getNodeRuntimeLoader: async () => placeholderRuntime,
  } as never;
  const configReader = {
    readConfig: async () => ({ ...manifest, app: { ...(manifest as { app?: object }).app } }),
  } as never;

  // The bundler resolves handler modules against the working directory, as
  // the CLI does when run from the app root.
  process.chdir(appRoot);
  const handlers = (manifest.modules.function ?? []).map((fn) => ({
    module: fn.handler.split('.')[0] ?? '',
  }));
  const functions = await bundler
    .getNodeBundler(logger, wrapperProvider, configReader)
    .bundle({ appDirectory: appRoot, entryPoints: bundler.getEntryPoints(handlers as never) });

  const nativeUi = new bundler.NativeUIBundler(logger);
  const { nativeUiBundlesDetails } = await nativeUi.bundleResources(
    (manifest.resources ?? []).map((resource) => ({ key: resource.key, path: resource.path })) as never,
  );

  const resources: BundleReport['resources'] = {};
  for (const detail of nativeUiBundlesDetails as Array<{ key: string; path: string }>) {
    resources[detail.key] = { dir: detail.path, files: await fs.readdir(detail.path) };
  }
  return {
    functions: { dir: functions.outputDir, files: await fs.readdir(functions.outputDir) },
    resources,
    warnings,
  };
}

function main(argv: string[]): void {
  bundleApp(path.resolve(argv[2] ?? '.'))
    .then((report) => {
      process.stdout.write(`${JSON.stringify(report)}\n`);
    })
    .catch((error: unknown) => {
      process.stderr.write(
        `bundling failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    });
}

module.exports = { bundleApp, main };
