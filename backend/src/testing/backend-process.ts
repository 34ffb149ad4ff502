import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DevApiClient, SeededSite } from '@pagewire/devkit';
import { type JobView, type OperationName, terminalJobStates } from '@pagewire/shared';

const BACKEND_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** The real backend (`src/main.ts`, publishing engine included) in a child process. */
export interface BackendProcess {
  readonly url: string;
  readonly pid: number;
  /** Ends the process with a signal (SIGKILL: no cleanup at all) and waits for it to be gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** What it wrote to stderr, for failure messages. */
  stderr(): string;
}

export interface SpawnOptions {
  /** A built `main.js` (see `buildBackendBundle`) instead of the TypeScript source through tsx. */
  entry?: string;
}

/**
 * Builds the backend as production runs it (`backend/build.mjs`: the bundle
 * and its render worker) into a fresh folder under `backend/dist/`, where the
 * bundle's external packages resolve from node_modules. Starting it takes a
 * fraction of what tsx compiling the source takes, so start-up time is the
 * backend's own.
 */
export async function buildBackendBundle(): Promise<{ entry: string; dispose(): void }> {
  mkdirSync(join(BACKEND_DIR, 'dist'), { recursive: true });
  const outdir = mkdtempSync(join(BACKEND_DIR, 'dist', 'test-build-'));
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['build.mjs', outdir], { cwd: BACKEND_DIR, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`build.mjs exited ${code}`))));
  });
  return {
    entry: join(outdir, 'main.js'),
    dispose: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

export async function spawnBackend(
  env: Record<string, string>,
  timeoutMs = 30_000,
  options: SpawnOptions = {},
): Promise<BackendProcess> {
  const args = options.entry === undefined ? ['--import', 'tsx', 'src/main.ts'] : [options.entry];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: BACKEND_DIR,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-20_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the backend did not start within ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const match = /backend listening on (http:\/\/\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the backend exited (${code}) before it was ready:\n${stderr}`));
    });
  });
  // Keep draining stdout (JSON logs) so the child never blocks on a full pipe.
  child.stdout?.on('data', () => {});
  return {
    url,
    pid: child.pid!,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
    stderr: () => stderr,
  };
}

/** Calls a Forge operation the way the app's resolver does: a function FIT and the envelope. */
export async function callOperation(
  dev: DevApiClient,
  backendUrl: string,
  site: SeededSite,
  operation: OperationName,
  input: unknown,
  context: Record<string, unknown> = {},
): Promise<unknown> {
  const { token } = await dev.mintFit({ installationId: site.installationId });
  const appToken = await dev.mintAppToken({ installationId: site.installationId, ttlSeconds: 4 * 3600 });
  const response = await fetch(`${backendUrl}/forge/v1/${operation}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'x-forge-oauth-system': appToken.token,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      context: {
        cloudId: site.cloudId,
        accountId: site.admin.accountId,
        spaceKey: site.space.key,
        ...context,
      },
      input,
    }),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${operation} answered ${response.status}: ${text}`);
  return (JSON.parse(text) as { data: unknown }).data;
}

/** Installs the app on the site (the lifecycle trigger, with the app token) and creates an ingest key. */
export async function installAndCreateKey(
  dev: DevApiClient,
  backendUrl: string,
  site: SeededSite,
): Promise<string> {
  const { token } = await dev.mintFit({ installationId: site.installationId });
  const appToken = await dev.mintAppToken({ installationId: site.installationId, ttlSeconds: 4 * 3600 });
  const installed = await fetch(`${backendUrl}/forge/v1/lifecycle.installed`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'x-forge-oauth-system': appToken.token,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ eventType: 'avi:forge:installed:app', context: { cloudId: site.cloudId } }),
  });
  if (installed.status !== 200)
    throw new Error(`lifecycle.installed answered ${installed.status}: ${await installed.text()}`);
  const created = (await callOperation(
    dev,
    backendUrl,
    site,
    'ingestKeys.create',
    { source: 'ci' },
    { isSpaceAdmin: true },
  )) as {
    key: string;
  };
  return created.key;
}

/** `PUT` with the ingest key; resolves to the response (callers decide what a failure means). */
export function ingest(backendUrl: string, key: string, path: string, body: unknown): Promise<Response> {
  return fetch(`${backendUrl}${path}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/**
 * `ingest` to whichever backend `backendUrl()` names now, again and again
 * until one answers: a request cut by a kill was not accepted, so a test that
 * kills the backend sends it again to the restarted one.
 */
export async function ingestThroughKills(
  backendUrl: () => string,
  key: string,
  path: string,
  body: unknown,
): Promise<Response> {
  for (;;) {
    try {
      return await ingest(backendUrl(), key, path, body);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export async function readJob(backendUrl: string, key: string, jobId: string): Promise<JobView> {
  const response = await fetch(`${backendUrl}/ingest/v1/jobs/${jobId}`, {
    headers: { authorization: `Bearer ${key}` },
  });
  if (response.status !== 200) throw new Error(`job ${jobId}: ${response.status} ${await response.text()}`);
  return (await response.json()) as JobView;
}

/** Polls jobs until all are final; `backendUrl()` is asked each round because the process may be restarted. */
export async function waitForJobs(
  backendUrl: () => string,
  key: string,
  jobIds: readonly string[],
  timeoutMs: number,
): Promise<JobView[]> {
  const deadline = Date.now() + timeoutMs;
  const done = new Map<string, JobView>();
  while (done.size < jobIds.length) {
    for (const jobId of jobIds) {
      if (done.has(jobId)) continue;
      try {
        const view = await readJob(backendUrl(), key, jobId);
        if (terminalJobStates.has(view.state)) done.set(jobId, view);
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
    }
    if (done.size < jobIds.length) {
      if (Date.now() > deadline) {
        const waiting = jobIds.filter((jobId) => !done.has(jobId));
        throw new Error(`${waiting.length} jobs did not finish in time (first: ${waiting[0]})`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return jobIds.map((jobId) => done.get(jobId)!);
}
