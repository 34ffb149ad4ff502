import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { build, type Plugin } from 'esbuild';

/**
 * The Forge app's UI Kit resources (manifest.yml `resources`), bundled for
 * the preview's sandboxes: each resource becomes one script that a fresh
 * realm runs, as Confluence runs each UI Kit app in its own sandbox. The
 * bundle is made from the real entry files, unmodified, at start (well under
 * a second with esbuild); nothing is written to disk.
 */
export type UiKitResource = 'macro' | 'space-settings' | 'page-notice';

const forgeAppRoot = fileURLToPath(new URL('../../../../forge-app/', import.meta.url));

/** manifest.yml: `resources[].path` of `macro`, `space-settings` and `page-notice`. */
export const RESOURCE_ENTRIES: Readonly<Record<UiKitResource, string>> = {
  macro: `${forgeAppRoot}src/frontend/macro/index.tsx`,
  'space-settings': `${forgeAppRoot}src/frontend/space-settings/index.tsx`,
  'page-notice': `${forgeAppRoot}src/frontend/page-notice/index.tsx`,
};

/**
 * `@forge/react` is CommonJS with `exports.default = ForgeReconciler`. The
 * forge-app package is `"type": "module"`, so a bundler following Node's rules
 * makes the default import the whole `module.exports`; Forge's own bundler
 * hands the app the reconciler. This shim gives the app what Forge gives it
 * (docs/platform-notes.md#ui-kit-without-a-forge-site: "normalise once").
 */
const forgeReactDefaultExport: Plugin = {
  name: 'forge-react-default-export',
  setup(context) {
    context.onResolve({ filter: /^@forge\/react$/ }, (args) =>
      args.namespace === 'forge-react-shim'
        ? undefined
        : { path: '@forge/react', namespace: 'forge-react-shim' },
    );
    context.onLoad({ filter: /.*/, namespace: 'forge-react-shim' }, () => ({
      resolveDir: forgeAppRoot,
      loader: 'js',
      contents: [
        "import * as forgeReact from '@forge/react';",
        "export * from '@forge/react';",
        'const candidate = forgeReact.default;',
        "export default candidate && 'render' in candidate ? candidate : candidate.default;",
      ].join('\n'),
    }));
  },
};

export async function bundleUiKitResources(): Promise<Record<UiKitResource, vm.Script>> {
  const resources = Object.keys(RESOURCE_ENTRIES) as UiKitResource[];
  const result = await build({
    entryPoints: resources.map((resource) => ({ in: RESOURCE_ENTRIES[resource], out: resource })),
    outdir: '/pagewire-preview',
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    jsx: 'automatic',
    // React's production build: no development warnings in the console, a smaller realm.
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
    legalComments: 'none',
    plugins: [forgeReactDefaultExport],
  });
  const scripts = {} as Record<UiKitResource, vm.Script>;
  for (const resource of resources) {
    const output = result.outputFiles.find((file) => file.path.endsWith(`/${resource}.js`));
    if (!output) throw new Error(`esbuild produced no bundle for the ${resource} resource`);
    scripts[resource] = new vm.Script(output.text, { filename: `pagewire-${resource}.js` });
  }
  return scripts;
}
