import { build } from 'esbuild';

// One file for npm: @pagewire/shared is private to this repository, so it is bundled in;
// the packages in `dependencies` stay external and npm installs them.
const pkg = JSON.parse(
  await (await import('node:fs/promises')).readFile(new URL('./package.json', import.meta.url), 'utf8'),
);
await build({
  entryPoints: [new URL('./src/main.ts', import.meta.url).pathname],
  outfile: new URL('./dist/pagewire.js', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: Object.keys(pkg.dependencies),
  sourcemap: true,
  logLevel: 'warning',
});
