import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from '../config/config';

/**
 * Paths pino blanks out wherever they appear at these depths. Request headers
 * are never logged in the first place (see request-logging-middleware.ts);
 * this list is the second line of defence for anything passed by mistake:
 * `authorization`, `x-forge-oauth-*`, tokens, ingest keys, master keys.
 */
export const REDACTED_PATHS = [
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  'headers["x-forge-oauth-system"]',
  'headers["x-forge-oauth-user"]',
  '*.headers["x-forge-oauth-system"]',
  '*.headers["x-forge-oauth-user"]',
  '["x-forge-oauth-system"]',
  '["x-forge-oauth-user"]',
  '*["x-forge-oauth-system"]',
  '*["x-forge-oauth-user"]',
  'token',
  '*.token',
  'appToken',
  '*.appToken',
  'apiToken',
  '*.apiToken',
  'ingestKey',
  '*.ingestKey',
  'key',
  '*.key',
  'secret',
  '*.secret',
  'masterKey',
  '*.masterKey',
  'input.token',
  'body.token',
  '*.body.token',
];

export function createLogger(options: {
  level: LogLevel;
  destination?: NodeJS.WritableStream | undefined;
  base?: Record<string, unknown>;
}): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'pagewire-backend', ...options.base },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err },
    },
    (options.destination ?? process.stdout) as DestinationStream,
  );
}
