import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ResolverHandler } from '@pagewire/devkit/forge-runtime';
import { build, type Plugin } from 'esbuild';

/**
 * The Forge app's function handlers (manifest `function[].handler`:
 * `index.macroResolver`, `index.settingsResolver`, `index.pageNoticeResolver`), bundled the way Forge
 * bundles them before running them on its Node runtime: one module with the
 * app's code, the `@forge/*` packages left as dependencies.
 *
 * Why a bundle and not a plain import: the app is `"type": "module"` and
 * imports `@forge/resolver` (CommonJS, `exports.default = Resolver`) with a
 * default import. Node's ES module loader makes that default the whole
 * `module.exports`, where Forge's webpack build hands the app the class. The
 * bundle gives the app what Forge gives it, through a one-line shim.
 */
export interface ForgeFunctions {
  readonly macroResolver: ResolverHandler;
  readonly settingsResolver: ResolverHandler;
  readonly pageNoticeResolver: ResolverHandler;
}

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const functionsEntry = `${repositoryRoot}forge-app/src/index.ts`;
/** Inside the repository, so the bundle's `@forge/*` imports resolve from its node_modules. */
const outputDir = `${repositoryRoot}node_modules/.cache/pagewire-local-stack/`;

const commonJsDefaults = ['@forge/resolver'];

const commonJsDefaultImport: Plugin = {
  name: 'commonjs-default-import',
  setup(context) {
    const filter = new RegExp(`^(${commonJsDefaults.map((name) => name.replace(/[/]/g, '\\/')).join('|')})$`);
    context.onResolve({ filter }, (args) =>
      args.namespace === 'cjs-default'
        ? { path: args.path, external: true }
        : { path: args.path, namespace: 'cjs-default' },
    );
    context.onLoad({ filter: /.*/, namespace: 'cjs-default' }, (args) => ({
      loader: 'js',
      contents: [
        `import * as commonJs from '${args.path}';`,
        `export * from '${args.path}';`,
        'const candidate = commonJs.default;',
        "export default candidate && typeof candidate === 'object' && 'default' in candidate ? candidate.default : candidate;",
      ].join('\n'),
    }));
  },
};

export async function loadForgeFunctions(): Promise<ForgeFunctions> {
  const result = await build({
    entryPoints: [functionsEntry],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
    // The Forge packages stay real dependencies; the app and its contract package are bundled.
    external: ['@forge/*'],
    plugins: [commonJsDefaultImport],
  });
  const code = result.outputFiles[0]?.text;
  if (code === undefined) throw new Error('esbuild produced no bundle for the Forge functions');
  mkdirSync(outputDir, { recursive: true });
  const file = `${outputDir}forge-functions-${process.pid}.mjs`;
  writeFileSync(file, code);
  let loaded: Partial<ForgeFunctions>;
  try {
    loaded = (await import(pathToFileURL(file).href)) as Partial<ForgeFunctions>;
  } finally {
    // Loaded modules stay in memory; the file was only the way in.
    rmSync(file, { force: true });
  }
  if (
    typeof loaded.macroResolver !== 'function' ||
    typeof loaded.settingsResolver !== 'function' ||
    typeof loaded.pageNoticeResolver !== 'function'
  ) {
    throw new Error('the Forge app does not export macroResolver, settingsResolver and pageNoticeResolver');
  }
  return {
    macroResolver: loaded.macroResolver,
    settingsResolver: loaded.settingsResolver,
    pageNoticeResolver: loaded.pageNoticeResolver,
  };
}
