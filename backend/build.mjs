// Bundles the backend into dist/main.js for `npm run backend`: our code and
// @pagewire/shared (TypeScript source, so it must be compiled in) are bundled;
// every other package stays external and is loaded from node_modules at run
// time (better-sqlite3 is native, and bundling express/pino gains nothing).
// The Markdown render worker is its own entry, dist/markdown-render-worker.js,
// next to main.js, where markdown-render-pool.ts looks for it.
// `node build.mjs <outdir>` builds elsewhere (tests start the bundle they built).
import { build } from 'esbuild';

const outdir = process.argv[2] ?? 'dist';

const keepWorkspacePackagesInside = {
  name: 'externalise-third-party-packages',
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@pagewire/')) return undefined;
      return { path: args.path, external: true };
    });
  },
};

await build({
  entryPoints: {
    main: 'src/main.ts',
    'markdown-render-worker': 'src/adf/markdown-render-worker.ts',
  },
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  plugins: [keepWorkspacePackagesInside],
  logLevel: 'warning',
});
