/**
 * Warehouse-neutral table descriptions. Each dialect (DuckDB, BigQuery) turns a spec into its own DDL,
 * so SQL differences stay in the dialects.
 */
export type ColumnType = 'STRING' | 'INT64' | 'FLOAT64' | 'NUMERIC' | 'BOOL' | 'TIMESTAMP' | 'DATE' | 'JSON';

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  /** @default true */
  nullable?: boolean;
  description?: string;
}

export interface TableSpec {
  /** BigQuery dataset / DuckDB schema, e.g. `market_data` */
  dataset: string;
  name: string;
  columns: ColumnSpec[];
  /** the columns a row is identified by; MERGE matches on them */
  key: string[];
  partition?: { column: string; granularity: 'DAY' | 'MONTH' | 'YEAR' };
  cluster?: string[];
  /** BigQuery `require_partition_filter`: queries must filter on the partition column (cost guard for big tables) */
  requirePartitionFilter?: boolean;
  /**
   * Bookkeeping columns (e.g. `ingested_at`, `chunk_id`): rewritten when a row changes, but a difference in them
   * alone does not count as a change, so reloading identical data updates nothing.
   */
  lineage?: string[];
  description?: string;
}

export interface ViewSpec {
  dataset: string;
  name: string;
  /** the view's SELECT, per dialect */
  sql: (dialect: 'duckdb' | 'bigquery') => string;
  description?: string;
}

/**
 * Row values accepted by generic upserts:
 * STRING string; INT64 number | bigint; FLOAT64 number; NUMERIC exact decimal text (e.g. "3702.750000000");
 * BOOL boolean; TIMESTAMP bigint UNIX ns or ISO string; DATE `YYYY-MM-DD`; JSON string; null where nullable.
 */
export type RowValue = string | number | bigint | boolean | null;
export type Row = Record<string, RowValue>;

export const qualifiedName = (spec: { dataset: string; name: string }): string => `${spec.dataset}.${spec.name}`;
