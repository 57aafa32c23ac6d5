import type { DuckDBConnection } from '@duckdb/node-api';
import type { OhlcvColumns } from '../../dbn/ohlcv-columns';
import { appendColumns, copyColumn, strings } from './duckdb-vectors';

/**
 * The raw staging layout of a bar chunk in DuckDB: the DBN columns bit for bit (ts_event as TIMESTAMP_NS, prices as
 * DECIMAL(18,9) whose int64 storage *is* the 1e-9 fixed-point value), so filling it is a memory copy per column.
 * Casting to the warehouse types (TIMESTAMP µs, DECIMAL(38,9)/NUMERIC, INT64) happens in SQL.
 */
export const BAR_STAGING_DDL = [
  'ts_event TIMESTAMP_NS',
  'rtype UTINYINT',
  'publisher_id USMALLINT',
  'instrument_id UINTEGER',
  'open DECIMAL(18,9)',
  'high DECIMAL(18,9)',
  'low DECIMAL(18,9)',
  'close DECIMAL(18,9)',
  'volume BIGINT',
  'symbol VARCHAR',
].join(', ');

/**
 * Creates (or replaces) `table` in the raw staging layout and fills it from validated columns
 * (volume ≤ i64 max, |price| < 1e18 raw).
 */
export async function stageBarColumns(
  conn: DuckDBConnection,
  table: { name: string; temp: boolean },
  columns: OhlcvColumns,
  symbolAt: (i: number) => string | null,
): Promise<void> {
  await conn.run(`CREATE OR REPLACE ${table.temp ? 'TEMP ' : ''}TABLE "${table.name}" (${BAR_STAGING_DDL})`);
  const appender = table.temp
    ? await conn.createAppender(table.name, 'main', 'temp')
    : await conn.createAppender(table.name);
  try {
    appendColumns(appender, columns.length, [
      copyColumn(columns.ts_event),
      copyColumn(columns.rtype),
      copyColumn(columns.publisher_id),
      copyColumn(columns.instrument_id),
      copyColumn(columns.open),
      copyColumn(columns.high),
      copyColumn(columns.low),
      copyColumn(columns.close),
      copyColumn(columns.volume),
      strings(symbolAt),
    ]);
  } finally {
    appender.closeSync();
  }
}
