import duckdb from '@duckdb/node-bindings';
import type { DuckDBAppender } from '@duckdb/node-api';
import type { OhlcvColumns } from '../../dbn/ohlcv-columns';
import { appendColumns, constant, copyColumn, int64ToInt128, nanosToMicros, strings, widenToBigint } from './duckdb-vectors';

/** The DuckDB types of a bar table's columns, in barTableSpec's order: what appendBarRows writes. */
export const BAR_TABLE_DUCKDB_TYPES = [
  'TIMESTAMP',
  'BIGINT',
  'BIGINT',
  'BIGINT',
  'DECIMAL(38,9)',
  'DECIMAL(38,9)',
  'DECIMAL(38,9)',
  'DECIMAL(38,9)',
  'BIGINT',
  'VARCHAR',
  'VARCHAR',
  'VARCHAR',
  'TIMESTAMP',
] as const;

export interface BarLineage {
  dataset: string;
  chunkId: string;
  /** ns since the epoch; stored at µs */
  ingestedAtNs: bigint;
}

/**
 * Appends validated bar columns (whole-µs ts_event, |price| < 1e18 raw, volume ≤ i64 max) straight into a bar
 * table through `appender`, in the table's own types: no staging copy and no INSERT … SELECT with casts, which
 * made up most of a first load's time. Returns false, appending nothing, when the appender's column types are
 * not exactly a bar table's (e.g. a column added since the table was checked).
 */
export function appendBarRows(
  appender: DuckDBAppender,
  columns: OhlcvColumns,
  symbolAt: (i: number) => string | null,
  lineage: BarLineage,
): boolean {
  const types = Array.from({ length: appender.columnCount }, (_, i) => appender.columnType(i).toString());
  if (types.join() !== BAR_TABLE_DUCKDB_TYPES.join()) return false;
  appendColumns(appender, columns.length, [
    nanosToMicros(columns.ts_event),
    widenToBigint(columns.rtype),
    widenToBigint(columns.publisher_id),
    widenToBigint(columns.instrument_id),
    int64ToInt128(columns.open),
    int64ToInt128(columns.high),
    int64ToInt128(columns.low),
    int64ToInt128(columns.close),
    copyColumn(columns.volume),
    strings(symbolAt),
    constant(duckdb.create_varchar(lineage.dataset)),
    constant(duckdb.create_varchar(lineage.chunkId)),
    constant(duckdb.create_timestamp({ micros: lineage.ingestedAtNs / 1000n })),
  ]);
  return true;
}
