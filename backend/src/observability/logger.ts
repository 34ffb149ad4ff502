import { type Bindings, type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from '../config/config';

/**
 * Property names whose values never reach a log line, at any depth of a
 * logged object, of a child logger's bindings or of a serialised error.
 * Request headers are never logged in the first place (see
 * request-context-middleware.ts); this is the second line of defence for
 * anything passed by mistake: the FIT (`authorization`), Forge's OAuth
 * headers, app and API tokens, ingest keys, master keys.
 */
export const REDACTED_KEYS: ReadonlySet<string> = new Set([
  'authorization',
  'Authorization',
  'x-forge-oauth-system',
  'x-forge-oauth-user',
  'token',
  'appToken',
  'apiToken',
  'ingestKey',
  'key',
  'secret',
  'masterKey',
]);

export const REDACTION_CENSOR = '[redacted]';

/**
 * Deeper than anything the backend logs; a value below this depth is written
 * as it is (pino's path-based redaction, which this replaced, reached three).
 */
const MAX_REDACTION_DEPTH = 8;

function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * `value` with every property named in REDACTED_KEYS replaced by the censor,
 * in plain objects and arrays. Copy-on-write: the caller's objects are never
 * changed, and an object without a secret in it is returned as it is, without
 * a copy.
 *
 * Why not pino's `redact` option: its wildcard paths (`*.token`) send every
 * value of every line through @pinojs/redact, which walks all the paths for
 * each one. That was ~22 µs of CPU per access-log line against ~1 µs for this
 * walk (docs/BENCHMARKS.md, "Macro read path"), and this covers any depth,
 * not three levels of listed paths.
 */
export function redactSecrets<T>(value: T, depth = 0): T {
  if (typeof value !== 'object' || value === null || depth >= MAX_REDACTION_DEPTH) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      const redacted = redactSecrets(item, depth + 1);
      if (redacted !== item) {
        copy ??= value.slice();
        copy[index] = redacted;
      }
    }
    return (copy ?? value) as T;
  }
  if (!isPlainObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const item = value[key];
    const redacted =
      REDACTED_KEYS.has(key) && item !== undefined ? REDACTION_CENSOR : redactSecrets(item, depth + 1);
    if (redacted !== item) {
      copy ??= { ...value };
      copy[key] = redacted;
    }
  }
  return (copy ?? value) as T;
}

/**
 * pino serialises an error after the `log` formatter ran, into an object with
 * a prototype of its own: its fields (a `token` a library put on its error)
 * are copied into a plain object and censored here.
 */
function serialiseError(error: unknown): unknown {
  const serialised: unknown = pino.stdSerializers.err(error as Error);
  if (typeof serialised !== 'object' || serialised === null) return serialised;
  return redactSecrets({ ...serialised });
}

/**
 * Standard output, written asynchronously: a line is appended to a buffer
 * and the buffer is written whenever the previous write finished, so under
 * load many lines go out in one write instead of one blocking write per line
 * (on the macro read path that write was ~35 µs of CPU per request,
 * docs/BENCHMARKS.md). At rest every line is written at once, as before.
 * pino flushes the buffer synchronously when the process exits, crashes
 * included; only a kill -9 or a power cut can lose the lines of one write
 * in flight (https://github.com/pinojs/pino/blob/main/docs/asynchronous.md).
 */
function createStdoutDestination(): DestinationStream {
  return pino.destination({ dest: 1, sync: false });
}

export function createLogger(options: {
  level: LogLevel;
  /** Where JSON lines go; standard output (asynchronously, see above) by default. */
  destination?: NodeJS.WritableStream | undefined;
  base?: Record<string, unknown>;
}): Logger {
  const logger = pino(
    {
      level: options.level,
      base: { service: 'pagewire-backend', ...options.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        bindings: (bindings) => redactSecrets(bindings),
        log: (object) => redactSecrets(object),
      },
      serializers: { err: serialiseError },
    },
    options.destination === undefined
      ? createStdoutDestination()
      : (options.destination as DestinationStream),
  );
  // pino applies `formatters.bindings` to the root's bindings only (a child
  // resets it: pino lib/proto.js `child`), so a child's bindings are censored
  // on their way in. Children inherit this method from the root.
  const child = logger.child as unknown as (
    this: Logger,
    bindings: Bindings,
    childOptions?: unknown,
  ) => Logger;
  logger.child = function (this: Logger, bindings: Bindings, childOptions?: unknown) {
    return child.call(this, redactSecrets(bindings), childOptions);
  } as unknown as typeof logger.child;
  return logger;
}
