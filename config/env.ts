import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { issueLines } from '../domain/issue-lines';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const optionalUrl = z.url().optional();

/** Every environment variable the product reads, parsed once. A bad value fails at start, naming the variable. */
export const envSchema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('market-data'),
  DATABENTO_API_KEY: z.string().min(1).optional(),
  DATABENTO_BASE_URL: z.url().default('https://hist.databento.com'),
  FRED_API_KEY: z.string().min(1).optional(),
  FRED_BASE_URL: z.url().default('https://api.stlouisfed.org'),
  WAREHOUSE: z.enum(['duckdb', 'bigquery']).default('duckdb'),
  DUCKDB_PATH: z.string().min(1).default(path.join(repoRoot, '.data', 'warehouse.duckdb')),
  /** DuckDB worker threads; absent = all cores but one (see duckdbThreads) */
  DUCKDB_THREADS: z.coerce.number().int().min(1).max(1024).optional(),
  GOOGLE_CLOUD_PROJECT: z.string().min(1).optional(),
  BIGQUERY_API_ENDPOINT: optionalUrl,
  DATA_DIR: z.string().min(1).default(path.join(repoRoot, '.data', 'chunks')),
  MARKET_DATA_DIR: z.string().min(1).default(path.resolve(repoRoot, '../shared/data')),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof envSchema>;

/** Thrown when an environment variable has a bad value; the message names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'CONFIG_INVALID';
  constructor(message: string) {
    super(message);
  }
}

export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  // empty strings count as unset, as shells and compose files often export VAR=
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = issueLines(result.error);
    throw new ConfigError(`invalid environment:\n  ${lines.join('\n  ')}`);
  }
  const env = result.data;
  return {
    ...env,
    DUCKDB_PATH: path.resolve(env.DUCKDB_PATH),
    DATA_DIR: path.resolve(env.DATA_DIR),
    MARKET_DATA_DIR: path.resolve(env.MARKET_DATA_DIR),
  };
}

export { repoRoot };
