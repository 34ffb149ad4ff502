import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { build, type Plugin } from 'esbuild';
import { BARE_SERVER_MAIN, EMULATOR_MAIN, LOAD_WORKER_MAIN, REPO_ROOT } from './child-servers';

const run = promisify(execFile);

/** Our workspaces are TypeScript source and go into the bundle; every other package loads from node_modules. */
const keepWorkspacePackagesInside: Plugin = {
  name: 'externalise-third-party-packages',
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@pagewire/')) return undefined;
      return { path: args.path, external: true };
    });
  },
};

/**
 * Builds what the benchmarks start as plain `node` processes: the backend's
 * production bundle (its own build script, exactly what `npm run backend`
 * runs); the baseline server, bundled the same way, so both start and run
 * alike and neither pays for a TypeScript loader; and the emulator and the
 * load generator, so each of the many short runs does not spend its first
 * second compiling TypeScript.
 */
export async function buildBenchPrograms(): Promise<void> {
  await run(process.execPath, ['build.mjs'], { cwd: `${REPO_ROOT}backend` });
  const programs: Array<[string, string]> = [
    [`${REPO_ROOT}bench/support/bare-server.ts`, BARE_SERVER_MAIN],
    [`${REPO_ROOT}bench/support/load-worker.ts`, LOAD_WORKER_MAIN],
    [`${REPO_ROOT}devkit/src/cli/emulator-cli.ts`, EMULATOR_MAIN],
  ];
  await Promise.all(
    programs.map(([entry, outfile]) =>
      build({
        entryPoints: [entry],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        sourcemap: 'linked',
        plugins: [keepWorkspacePackagesInside],
        logLevel: 'warning',
      }),
    ),
  );
}
