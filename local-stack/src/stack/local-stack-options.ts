import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

/**
 * What `npm start` can be told, by flag or by environment variable (the flag
 * wins). Every port has a fixed default so bookmarks and the printed curl
 * command keep working between runs; `0` picks a free port (tests use it).
 */
export interface LocalStackOptions {
  readonly host: string;
  readonly previewPort: number;
  readonly backendPort: number;
  readonly emulatorPort: number;
  /** Holds the backend's SQLite file, the development master key and the emulator's saved world. */
  readonly dataDir: string;
  /** How often the demo source pushes; `0` turns it off. */
  readonly demoIntervalMs: number;
}

export const DEFAULT_PORTS = { preview: 4000, backend: 4001, emulator: 4002 } as const;
export const DEFAULT_DEMO_INTERVAL_MS = 5_000;

export class LocalStackOptionsError extends Error {
  override readonly name = 'LocalStackOptionsError';
}

export const LOCAL_STACK_USAGE = `usage: npm start -- [options]

  --preview-port <n>    the local preview (env PAGEWIRE_PREVIEW_PORT, default ${DEFAULT_PORTS.preview})
  --backend-port <n>    the Pagewire backend (env PAGEWIRE_BACKEND_PORT, default ${DEFAULT_PORTS.backend})
  --emulator-port <n>   the Confluence + Forge emulator (env PAGEWIRE_EMULATOR_PORT, default ${DEFAULT_PORTS.emulator})
  --host <address>      where all three listen (env PAGEWIRE_HOST, default 127.0.0.1)
  --data-dir <path>     kept between runs (env PAGEWIRE_DATA_DIR, default ./data)
  --demo-interval <ms>  how often the demo source pushes, 0 = never (env PAGEWIRE_DEMO_INTERVAL_MS, default ${DEFAULT_DEMO_INTERVAL_MS})
  --help                this text
`;

function port(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    throw new LocalStackOptionsError(`${name} must be a port number from 0 to 65535`);
  }
  return value;
}

/**
 * Reads flags and the environment record the CLI hands over. `baseDir` is
 * where a relative data directory is resolved: the directory `npm start` was
 * run in (npm's INIT_CWD), not the workspace npm switched into.
 */
export function readLocalStackOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  baseDir: string,
): LocalStackOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        'preview-port': { type: 'string' },
        'backend-port': { type: 'string' },
        'emulator-port': { type: 'string' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        'demo-interval': { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new LocalStackOptionsError(error instanceof Error ? error.message : 'invalid arguments');
  }
  if (values.help) return 'help';
  const flag = (name: string) => values[name] as string | undefined;

  const interval = flag('demo-interval') ?? env.PAGEWIRE_DEMO_INTERVAL_MS;
  let demoIntervalMs = DEFAULT_DEMO_INTERVAL_MS;
  if (interval !== undefined && interval.trim() !== '') {
    demoIntervalMs = Number(interval);
    if (
      !Number.isInteger(demoIntervalMs) ||
      (demoIntervalMs !== 0 && demoIntervalMs < 500) ||
      demoIntervalMs > 3_600_000
    ) {
      throw new LocalStackOptionsError('--demo-interval must be 0 (off) or 500 to 3600000 milliseconds');
    }
  }
  const host = (flag('host') ?? env.PAGEWIRE_HOST ?? '127.0.0.1').trim();
  if (host === '') throw new LocalStackOptionsError('--host must not be empty');

  return {
    host,
    previewPort: port(
      '--preview-port',
      flag('preview-port') ?? env.PAGEWIRE_PREVIEW_PORT,
      DEFAULT_PORTS.preview,
    ),
    backendPort: port(
      '--backend-port',
      flag('backend-port') ?? env.PAGEWIRE_BACKEND_PORT,
      DEFAULT_PORTS.backend,
    ),
    emulatorPort: port(
      '--emulator-port',
      flag('emulator-port') ?? env.PAGEWIRE_EMULATOR_PORT,
      DEFAULT_PORTS.emulator,
    ),
    dataDir: resolve(baseDir, flag('data-dir') ?? env.PAGEWIRE_DATA_DIR ?? 'data'),
    demoIntervalMs,
  };
}
