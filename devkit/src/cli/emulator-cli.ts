#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startEmulator } from '../emulator/start-emulator';
import { describeBusyPort } from './busy-ports';

/**
 * `npm run emulator -- --port <n>` starts the emulator and prints exactly one
 * line when it is ready: `emulator listening on http://127.0.0.1:<port>`
 * (without `--port`, a free port the line names). Scripts wait for that line,
 * so nothing else goes to stdout.
 */
function usage(message: string): never {
  process.stderr.write(`${message}\nusage: emulator [--port <0-65535>] [--host <address>]\n`);
  process.exit(2);
}

let values: { port?: string; host?: string };
try {
  ({ values } = parseArgs({
    options: { port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' } },
    strict: true,
  }));
} catch (error) {
  usage(error instanceof Error ? error.message : 'invalid arguments');
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) usage(`--port must be an integer from 0 to 65535`);

const emulator = await startEmulator({ port, host: values.host ?? '127.0.0.1' }).catch((error: unknown) => {
  const code = (error as { code?: string }).code;
  process.stderr.write(
    code === 'EADDRINUSE'
      ? `${describeBusyPort({ name: 'Emulator', port, flag: 'npm run emulator -- --port' }, 'emulator')}\n`
      : `the emulator could not start (${code ?? 'unknown error'})\n`,
  );
  process.exit(1);
});
process.stdout.write(`emulator listening on ${emulator.url}\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    emulator.close().finally(() => process.exit(0));
  });
}
