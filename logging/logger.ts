import pino, { type Logger, type LoggerOptions } from 'pino';

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

export interface CreateLoggerOptions {
  level?: LoggerOptions['level'];
  name?: string;
  /** pretty output; defaults to whether stdout is a terminal */
  pretty?: boolean;
  destination?: pino.DestinationStream;
}

/** JSON logs by default, pretty on a TTY, secrets redacted. */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const pretty = options.pretty ?? Boolean(process.stdout.isTTY);
  const base: LoggerOptions = {
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    name: options.name,
    redact: { paths: redactPaths, censor: '[redacted]' },
  };
  if (options.destination) return pino(base, options.destination);
  if (pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } });
  }
  return pino(base);
}

export type { Logger };
