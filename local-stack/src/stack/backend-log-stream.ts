import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';

/**
 * The backend logs JSON lines (pino). In the local stack every line goes to
 * `data/logs/backend.log`; warnings and errors are also shown on the console
 * as one readable line each, so the development-master-key warning and any
 * failure are seen, and routine request logs do not drown the banner.
 */
export function createBackendLogStream(
  path: string,
  show: (line: string) => void,
): { stream: NodeJS.WritableStream; close(): Promise<void> } {
  mkdirSync(dirname(path), { recursive: true });
  const file = createWriteStream(path, { flags: 'a', mode: 0o600 });
  let pending = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      const text = chunk.toString();
      file.write(text);
      pending += text;
      let newline = pending.indexOf('\n');
      while (newline !== -1) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        const readable = readableWarning(line);
        if (readable !== null) show(readable);
        newline = pending.indexOf('\n');
      }
      callback();
    },
  });
  return {
    stream,
    close: () => new Promise<void>((resolve) => file.end(() => resolve())),
  };
}

const levels: Readonly<Record<string, number>> = { warn: 40, error: 50, fatal: 60 };

/** pino levels, as labels or numbers: 40 warn, 50 error, 60 fatal. */
export function readableWarning(line: string): string | null {
  let entry: { level?: unknown; msg?: unknown };
  try {
    entry = JSON.parse(line) as { level?: unknown; msg?: unknown };
  } catch {
    return null;
  }
  const level = typeof entry.level === 'number' ? entry.level : (levels[String(entry.level)] ?? 0);
  if (level < 40 || typeof entry.msg !== 'string') return null;
  return `backend ${level >= 50 ? 'ERROR' : 'WARNING'}: ${entry.msg}`;
}
