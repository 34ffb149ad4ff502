import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/** The process as `npm run backend` runs it: env in, one ready line out, exit on SIGTERM. */
const mainFile = fileURLToPath(new URL('./main.ts', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'pagewire-main-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function run(env: Record<string, string>): {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', mainFile], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Resolves with the first match in the process's stdout, waiting on output events (no sleeps). */
function waitForLine(child: ChildProcess, read: () => string, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = read().match(pattern);
      if (match !== null) {
        child.stdout?.off('data', check);
        resolve(match);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', () => reject(new Error(`exited before printing ${pattern}: ${read()}`)));
    check();
  });
}

describe('the backend process', () => {
  it('prints one ready line, serves, and exits cleanly on SIGTERM', async () => {
    const proc = run({
      PORT: '0',
      HOST: '127.0.0.1',
      PAGEWIRE_DEV: '1',
      PAGEWIRE_DATA_DIR: dataDir,
      DATABASE_URL: `sqlite:${join(dataDir, 'main.db')}`,
      LOG_LEVEL: 'warn',
    });
    const [, url] = await waitForLine(
      proc.child,
      proc.stdout,
      /^backend listening on (http:\/\/127\.0\.0\.1:\d+)$/m,
    );
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    // A cold process: tsx compiles the backend and every migration runs on a new file, which on a busy CI machine
    // takes longer than vitest's 5 s default. The test asserts what the process prints, not how fast.
  }, 60_000);

  it('stops with one line naming the bad variable and exit code 1', async () => {
    const proc = run({ PAGEWIRE_DEV: '1', PORT: 'not-a-port' });
    expect(await proc.exited).toBe(1);
    const lines = proc.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^pagewire backend: invalid configuration: PORT /);
  }, 60_000);
});
