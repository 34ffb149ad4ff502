import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let blocker: Server;
let busyPort: number;

beforeAll(async () => {
  blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen({ host: '127.0.0.1', port: 0 }, resolve));
  busyPort = (blocker.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((resolve) => blocker.close(resolve));
});

const localStackDir = fileURLToPath(new URL('../..', import.meta.url));

function run(
  script: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', script, ...args],
      { cwd: localStackDir, timeout: 60_000, env: { ...process.env, PAGEWIRE_DATA_DIR: '' } },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : ((error as { code?: number }).code ?? null), stdout, stderr });
      },
    );
  });
}

describe('npm start with a busy port', () => {
  it('makes npm start stop at once, naming the port and the flag that moves it', async () => {
    const result = await run('src/stack/local-stack-cli.ts', [
      '--backend-port',
      String(busyPort),
      '--preview-port',
      '0',
      '--emulator-port',
      '0',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`the Backend port ${busyPort} is already in use`);
    expect(result.stderr).toContain('npm start -- --backend-port <n>');
    // Nothing started: not even the banner.
    expect(result.stdout).not.toContain('Starting Pagewire locally');
  }, 60_000);
});
