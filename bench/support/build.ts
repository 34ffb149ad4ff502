import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { BARE_SERVER_MAIN, REPO_ROOT } from './child-servers';

const run = promisify(execFile);

/**
 * Builds what the benchmarks start as plain `node` processes: the backend's
 * production bundle (its own build script, exactly what `npm run backend`
 * runs) and the baseline server, bundled the same way (our code inside, every
 * package external and loaded from node_modules), so both start and run alike
 * and neither pays for a TypeScript loader.
 */
export async function buildBenchPrograms(): Promise<void> {
  await run(process.execPath, ['build.mjs'], { cwd: `${REPO_ROOT}backend` });
  await build({
    entryPoints: [`${REPO_ROOT}bench/support/bare-server.ts`],
    outfile: BARE_SERVER_MAIN,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    packages: 'external',
    logLevel: 'warning',
  });
}
