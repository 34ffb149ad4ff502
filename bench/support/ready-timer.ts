import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { PAGEWIRE_APP_ID } from '@pagewire/devkit';
import { backendEnvironment, REPO_ROOT } from './child-servers';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function readyStatus(port: number): Promise<number> {
  return new Promise((resolve) => {
    const call = request(
      { host: '127.0.0.1', port, path: '/readyz', agent: false, timeout: 1_000 },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    call.on('error', () => resolve(0));
    call.on('timeout', () => call.destroy());
    call.end();
  });
}

/** Milliseconds from spawning `node <args>` to its first `200` on `/readyz`; then stops it. */
export async function timeToReady(
  args: string[],
  env: Record<string, string>,
  cwd = REPO_ROOT,
): Promise<number> {
  const port = await freePort();
  const startedAt = performance.now();
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-5_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const deadline = startedAt + 60_000;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`${args.join(' ')} exited before it was ready:\n${stderr}`);
      if ((await readyStatus(port)) === 200) return performance.now() - startedAt;
      if (performance.now() > deadline)
        throw new Error(`${args.join(' ')} was not ready within 60 s:\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/** `timeToReady` for a backend build (`main`) on the database at `databaseUrl`, configured as every benchmark configures it. */
export function timeBackendToReady(main: string, databaseUrl: string): Promise<number> {
  return timeToReady(
    ['--enable-source-maps', main],
    backendEnvironment({ databaseUrl, appId: PAGEWIRE_APP_ID }),
    `${REPO_ROOT}backend`,
  );
}
