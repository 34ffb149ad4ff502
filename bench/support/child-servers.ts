import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createDevApiClient, type DevApiClient, type SeededSite } from '@pagewire/devkit';

/** The repository root, whatever the working directory of the caller. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The backend as production runs it: the esbuild bundle `npm run build -w @pagewire/backend` writes. */
export const BACKEND_MAIN = `${REPO_ROOT}backend/dist/main.js`;
/** The baseline server, bundled the same way by `buildBenchPrograms` (bench/support/build.ts). */
export const BARE_SERVER_MAIN = `${REPO_ROOT}bench/dist/bare-server.js`;
/** The devkit's `emulator-cli.ts` and bench/support/load-worker.ts, bundled by `buildBenchPrograms`. */
export const EMULATOR_MAIN = `${REPO_ROOT}bench/dist/emulator.js`;
export const LOAD_WORKER_MAIN = `${REPO_ROOT}bench/dist/load-worker.js`;

/** A server in its own process: one core's worth of event loop that the benchmark does not share. */
export interface ChildServer {
  readonly url: string;
  readonly pid: number;
  /** When `spawn` was called and when the ready line arrived (`performance.now()` clock). */
  readonly spawnedAt: number;
  readonly readyLineAt: number;
  /** Resident set size now, in bytes (Linux `/proc/<pid>/status` VmRSS). */
  rssBytes(): number;
  /** The highest resident set size so far (VmHWM). */
  peakRssBytes(): number;
  /**
   * CPU time the process has used so far (user + system, all threads), in
   * seconds. Unlike throughput it does not depend on how much of the two
   * shared cores other work left this process.
   */
  cpuSeconds(): number;
  stderr(): string;
  /** SIGTERM (graceful), then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnServerOptions {
  command: string;
  args: readonly string[];
  env: Record<string, string>;
  /** The line the program prints when it accepts connections; group 1 is its URL. */
  ready: RegExp;
  cwd?: string;
  timeoutMs?: number;
}

function procStatusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  if (process.platform !== 'linux') {
    throw new Error('memory figures are read from /proc/<pid>/status, which only Linux has');
  }
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (match === null) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(match[1]) * 1024;
}

let clockTicksPerSecond: number | undefined;

/** `/proc/<pid>/stat` fields 14 and 15 (utime, stime), in clock ticks. */
function procCpuSeconds(pid: number): number {
  if (process.platform !== 'linux')
    throw new Error('CPU time is read from /proc/<pid>/stat, which only Linux has');
  clockTicksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may contain spaces: count from after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
}

export async function spawnServer(options: SpawnServerOptions): Promise<ChildServer> {
  const spawnedAt = performance.now();
  const child: ChildProcess = spawn(options.command, [...options.args], {
    cwd: options.cwd ?? REPO_ROOT,
    // Only what the program needs: a benchmark must not inherit a developer's DATABASE_URL.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const timeoutMs = options.timeoutMs ?? 60_000;

  let readyLineAt = 0;
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.args.join(' ')} did not get ready within ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.stdout?.setEncoding('utf8');
    const onData = (chunk: string) => {
      stdout += chunk;
      const match = options.ready.exec(stdout);
      if (match !== null) {
        readyLineAt = performance.now();
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(match[1]!);
      } else if (stdout.length > 1_000_000) {
        stdout = stdout.slice(-10_000);
      }
    };
    child.stdout?.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(
        new Error(`${options.args.join(' ')} exited (${child.exitCode}) before it was ready:\n${stderr}`),
      );
    });
  });
  // Keep draining stdout (the backend's JSON access log) so the child never blocks on a full pipe.
  child.stdout?.resume();

  return {
    url,
    pid: child.pid!,
    spawnedAt,
    readyLineAt,
    rssBytes: () => procStatusBytes(child.pid!, 'VmRSS'),
    peakRssBytes: () => procStatusBytes(child.pid!, 'VmHWM'),
    cpuSeconds: () => procCpuSeconds(child.pid!),
    stderr: () => stderr,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The devkit emulator in its own process (as `npm run emulator` starts it). */
export function spawnEmulator(): Promise<ChildServer> {
  return spawnServer({
    command: process.execPath,
    args: [EMULATOR_MAIN, '--port', '0'],
    env: {},
    ready: /emulator listening on (http:\/\/\S+)/,
  });
}

export interface SeededEmulator {
  readonly emulator: ChildServer;
  readonly dev: DevApiClient;
  readonly site: SeededSite;
}

/**
 * The emulator in its own process with one seeded site, the hourly points
 * quota off and the burst limit as given (null: off). Stops the emulator
 * again when seeding fails.
 */
export async function spawnSeededEmulator(options: {
  siteName: string;
  burstPerSecond: number | null;
}): Promise<SeededEmulator> {
  const emulator = await spawnEmulator();
  try {
    const dev = createDevApiClient(emulator.url);
    await dev.setLimits({ burstPerSecond: options.burstPerSecond, quotaPointsPerHour: null });
    const site = await dev.seedSite({ name: options.siteName });
    return { emulator, dev, site };
  } catch (error) {
    await emulator.stop();
    throw error;
  }
}

export interface BackendProcessOptions {
  /** `sqlite:<path>` (a fresh or a seeded file). */
  databaseUrl: string;
  /** The emulator origin: JWKS and the Atlassian API base. Absent: nothing that needs Forge is called. */
  emulatorUrl?: string;
  appId: string;
  /** Extra environment (`PAGEWIRE_PUBLISH_*` knobs). */
  env?: Record<string, string>;
  /** Write a V8 CPU profile of the run into this directory (`node --cpu-prof`). */
  cpuProfileDir?: string;
  /** Another build of the backend to start (`--backend`, for before/after comparisons); default BACKEND_MAIN. */
  main?: string;
}

/**
 * The real backend as production runs it: `node dist/main.js`, configured by
 * environment only, with a production configuration (an app id and a master
 * key, not `PAGEWIRE_DEV`) and the default log level, so the access log every
 * request writes is part of what is measured.
 */
export function spawnBackend(options: BackendProcessOptions): Promise<ChildServer> {
  const flags = ['--enable-source-maps'];
  if (options.cpuProfileDir !== undefined)
    flags.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`);
  return spawnServer({
    command: process.execPath,
    args: [...flags, options.main ?? BACKEND_MAIN],
    cwd: `${REPO_ROOT}backend`,
    env: { PORT: '0', ...backendEnvironment(options) },
    ready: /backend listening on (http:\/\/\S+)/,
  });
}

/**
 * What the backend is configured with in every benchmark (no `PORT`: the
 * caller picks it). Without an emulator, JWKS and API base point at a closed
 * port: nothing that needs Forge is called, and start-up fetches nothing.
 */
export function backendEnvironment(
  options: Pick<BackendProcessOptions, 'databaseUrl' | 'emulatorUrl' | 'appId' | 'env'>,
): Record<string, string> {
  const emulator = options.emulatorUrl ?? 'http://127.0.0.1:9';
  return {
    HOST: '127.0.0.1',
    DATABASE_URL: options.databaseUrl,
    PAGEWIRE_FORGE_APP_ID: options.appId,
    PAGEWIRE_FORGE_JWKS_URL: `${emulator}/.well-known/jwks.json`,
    PAGEWIRE_ATLASSIAN_API_BASE: emulator,
    PAGEWIRE_MASTER_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'info',
    // The benchmarks drive ingest far past what one source sends; they measure the engine, not the limiter.
    PAGEWIRE_INGEST_LIMIT_PER_KEY: 'off',
    PAGEWIRE_INGEST_LIMIT_PER_INSTALLATION: 'off',
    ...options.env,
  };
}

/** The baseline: a bare Express 5 route answering `body` (see bench/support/bare-server.ts). */
export function spawnBareServer(body: string): Promise<ChildServer> {
  return spawnServer({
    command: process.execPath,
    args: ['--enable-source-maps', BARE_SERVER_MAIN],
    env: { PORT: '0', HOST: '127.0.0.1', BARE_RESPONSE_JSON: body },
    ready: /bare server listening on (http:\/\/\S+)/,
  });
}
