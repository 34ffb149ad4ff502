// Bundles the backend into dist/main.js for `npm run backend`: our code and
// @pagewire/shared (TypeScript source, so it must be compiled in) are bundled;
// every other package stays external and is loaded from node_modules at run
// time (better-sqlite3 is native, and bundling express/pino gains nothing).
import { build } from 'esbuild';

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
  entryPoints: ['src/main.ts'],
  outfile: 'dist/main.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  plugins: [keepWorkspacePackagesInside],
  logLevel: 'warning',
});
