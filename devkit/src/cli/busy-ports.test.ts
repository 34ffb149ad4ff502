import { execFile, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBusyPorts } from './busy-ports';

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

const devkitDir = fileURLToPath(new URL('../..', import.meta.url));

function run(
  script: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', script, ...args],
      { cwd: devkitDir, timeout: 60_000, env: { ...process.env, PAGEWIRE_DATA_DIR: '' } },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : ((error as { code?: number }).code ?? null), stdout, stderr });
      },
    );
  });
}

describe('busy ports', () => {
  it('finds the fixed ports something already listens on, by name, and never port 0', async () => {
    const busy = await findBusyPorts('127.0.0.1', [
      { name: 'Preview', port: busyPort, flag: '--preview-port' },
      { name: 'Backend', port: 0, flag: '--backend-port' },
    ]);
    expect(busy.map((entry) => entry.name)).toEqual(['Preview']);
  });

  it('makes the emulator say which port is busy and how to pick another', async () => {
    const result = await run('src/cli/emulator-cli.ts', ['--port', String(busyPort)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`the Emulator port ${busyPort} is already in use`);
    expect(result.stderr).toContain('npm run emulator -- --port <n>');
    expect(result.stdout).toBe('');
  }, 60_000);

  it('lets the emulator take --port and print the one line naming it', async () => {
    const free = createServer();
    await new Promise<void>((resolve) => free.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const port = (free.address() as { port: number }).port;
    await new Promise((resolve) => free.close(resolve));

    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/emulator-cli.ts', '--port', String(port)],
      {
        cwd: devkitDir,
      },
    );
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(out);
        });
        child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
      });
      expect(line).toBe(`emulator listening on http://127.0.0.1:${port}\n`);
    } finally {
      child.kill('SIGTERM');
    }
  }, 60_000);
});
