import pino, { type Logger, type LoggerOptions } from 'pino';
import { serializeError, withSerializedErrors } from './errors';

/** Paths whose values never reach a log line, whatever object they sit in. */
export const redactPaths = [
  'apiKey',
  'key',
  'password',
  'authorization',
  'Authorization',
  'DATABENTO_API_KEY',
  'FRED_API_KEY',
  'api_key',
  '*.apiKey',
  '*.key',
  '*.password',
  '*.authorization',
  '*.Authorization',
  '*.api_key',
  '*.DATABENTO_API_KEY',
  '*.FRED_API_KEY',
  'headers.authorization',
  '*.headers.authorization',
];

/**
 * Keys under which errors are logged, here and by the Temporal SDK (`Activity failed {error}`, `Worker failed
 * {error}`): pino's default serializes only `err`, and JSON of an Error anywhere else printed `{}`.
 */
export const errorKeys = ['err', 'error', 'cause', 'failure', 'reason', 'exitError'] as const;

/**
 * How every logger here writes errors: under the keys above, and under any other key or nested a few levels deep
 * in the logged object, with message, code, syscall/path, Temporal failure type and the cause chain (serializeError).
 */
export const errorLogOptions: Pick<LoggerOptions, 'serializers' | 'formatters'> = {
  serializers: Object.fromEntries(errorKeys.map((k) => [k, serializeError])),
  formatters: { log: (object) => withSerializedErrors(object) },
};

export interface CreateLoggerOptions {
  level?: LoggerOptions['level'];
  name?: string;
  /** pretty output; defaults to whether stdout is a terminal */
  pretty?: boolean;
  destination?: pino.DestinationStream;
}

/** JSON logs by default, pretty on a TTY, secrets redacted, errors in words (errorLogOptions). */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const pretty = options.pretty ?? Boolean(process.stdout.isTTY);
  const base: LoggerOptions = {
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    name: options.name,
    redact: { paths: redactPaths, censor: '[redacted]' },
    ...errorLogOptions,
  };
  if (options.destination) return pino(base, options.destination);
  if (pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } });
  }
  return pino(base);
}

export type { Logger };
