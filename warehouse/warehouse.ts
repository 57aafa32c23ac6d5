import type { Env } from '../config/env';
import type { OhlcvSchema, SType } from '../domain/databento-enums';
import type { OhlcvColumns } from '../dbn/ohlcv-columns';
import type { Row, RowValue, TableSpec, ViewSpec } from './table-spec';

/** The chunk a set of bars came from; `[start, end)` ISO, every row's ts_event must lie inside. */
export interface BarChunkRef {
  chunkId: string;
  dataset: string;
  schema: OhlcvSchema;
  start: string;
  end: string;
  symbols: string[];
  stypeIn: SType;
}

export interface LoadBarsInput {
  chunk: BarChunkRef;
  columns: OhlcvColumns;
  /** per-row symbol (array or accessor) */
  symbol: (string | null)[] | ((i: number) => string | null);
  ingestedAt?: Date;
}

export interface LoadBarsResult {
  /** rows in the chunk */
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  table: string;
}

export type LedgerStatus = 'planned' | 'downloaded' | 'validated' | 'loaded' | 'quarantined' | 'accepted' | 'failed';

export interface LedgerRow {
  chunk_id: string;
  /** e.g. `GLBX.MDP3/ohlcv-1d/ZL.c.0` */
  series: string;
  dataset: string;
  schema: string;
  symbols: string;
  /** ISO seconds, `2010-06-06T00:00:00Z` */
  start: string;
  end: string;
  status: LedgerStatus;
  rows: number | null;
  bytes: number | null;
  sha256: string | null;
  cost_usd: number | null;
  /** JSON summary */
  validation: string | null;
  error: string | null;
  workflow_id: string | null;
  /** ISO; set by recordLedger when empty */
  updated_at: string;
}

export interface UpsertOptions {
  /** the slice of the table the rows stand for; also prunes partitions in the MERGE */
  scope?: { column: string; start: RowValue; end: RowValue };
  /** delete target rows inside scope that are not among `rows` (a full refresh of the scope) */
  deleteMissingInScope?: boolean;
}

export interface UpsertResult {
  rows: number;
  inserted: number;
  updated: number;
  deleted: number;
}

/**
 * A warehouse (DuckDB or BigQuery) with the same tables and semantics in both.
 *
 * `query` takes named parameters written `@name` in either dialect. Results are plain JSON-safe objects:
 * INT64/BIGINT/HUGEINT and NUMERIC/DECIMAL come back as **strings** (exact; NUMERIC without trailing zeros,
 * e.g. `"3702.75"`), FLOAT64 as number, TIMESTAMP as `YYYY-MM-DDTHH:MM:SS.ffffffZ`, DATE as `YYYY-MM-DD`.
 */
export interface Warehouse {
  readonly kind: 'duckdb' | 'bigquery';
  ensureSchema(): Promise<{ created: string[]; migrated: string[]; version: number }>;
  ensureTables(specs: (TableSpec | ViewSpec)[]): Promise<{ created: string[] }>;
  loadBars(input: LoadBarsInput): Promise<LoadBarsResult>;
  upsertRows(spec: TableSpec, rows: Row[], opts?: UpsertOptions): Promise<UpsertResult>;
  recordLedger(row: LedgerRow): Promise<void>;
  ledger(filter?: { series?: string; symbol?: string; status?: LedgerStatus }): Promise<LedgerRow[]>;
  query<T = Record<string, unknown>>(sql: string, params?: Record<string, RowValue>): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * Limits on what a connection's SQL may do, for ad-hoc SQL (the `sql` command). The default, no limits, is what
 * the pipeline itself (the worker) uses.
 */
export interface WarehouseAccess {
  /**
   * Run only SELECT statements; anything else throws WarehouseReadOnlyError before it runs. DuckDB also opens its
   * file READ_ONLY; BigQuery asks a dry run for the statement type.
   */
  readOnly?: boolean;
  /**
   * DuckDB: the only directories SQL may read or write files in (read_csv, COPY, ATTACH, EXPORT, ...); extensions
   * cannot be installed or loaded, and the settings are locked so SQL cannot lift this.
   */
  fileDirectories?: string[];
}

export type WarehouseConfig =
  | { kind: 'duckdb'; path: string; threads?: number; access?: WarehouseAccess }
  | { kind: 'bigquery'; projectId: string; apiEndpoint?: string; location?: string; datasetPrefix?: string; autoRetry?: boolean; insertFastPath?: boolean; readOnly?: boolean };

/** Test-only hooks: simulate a crash between steps of a load. Not for production callers. */
export interface LoadTestHooks {
  failAfter?: 'stage' | 'merge';
}

export async function createWarehouse(config: WarehouseConfig): Promise<Warehouse> {
  if (config.kind === 'duckdb') {
    const { DuckDbWarehouse } = await import('./duckdb/duckdb-warehouse');
    return DuckDbWarehouse.open(config.path, undefined, { threads: config.threads, access: config.access });
  }
  const { BigQueryWarehouse } = await import('./bigquery/bigquery-warehouse');
  return BigQueryWarehouse.open(config);
}

/**
 * WAREHOUSE (duckdb|bigquery), DUCKDB_PATH, DUCKDB_THREADS, GOOGLE_CLOUD_PROJECT, BIGQUERY_API_ENDPOINT.
 * `access` limits the connection's SQL (see WarehouseAccess; BigQuery has no local files, so only `readOnly` applies).
 */
export async function createWarehouseFromEnv(env: Env, access?: WarehouseAccess): Promise<Warehouse> {
  if (env.WAREHOUSE === 'duckdb') {
    return createWarehouse({ kind: 'duckdb', path: env.DUCKDB_PATH, threads: env.DUCKDB_THREADS, ...(access ? { access } : {}) });
  }
  if (!env.GOOGLE_CLOUD_PROJECT) {
    const { ConfigError } = await import('../config/env');
    throw new ConfigError('GOOGLE_CLOUD_PROJECT is required when WAREHOUSE=bigquery');
  }
  return createWarehouse({
    kind: 'bigquery',
    projectId: env.GOOGLE_CLOUD_PROJECT,
    ...(env.BIGQUERY_API_ENDPOINT ? { apiEndpoint: env.BIGQUERY_API_ENDPOINT } : {}),
    ...(access?.readOnly ? { readOnly: true } : {}),
  });
}
