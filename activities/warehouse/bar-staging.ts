import duckdb from '@duckdb/node-bindings';
import { DuckDBDataChunk, type DuckDBConnection } from '@duckdb/node-api';
import type { OhlcvColumns } from '../dbn/ohlcv-columns';

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

type NumericColumn = Uint8Array | Uint16Array | Uint32Array | BigInt64Array | BigUint64Array;

/**
 * Creates (or replaces) `table` and fills it from validated columns through DuckDB data chunks
 * (`appendDataChunk`), copying each typed array straight into the vectors.
 * Callers must have validated the columns (volume ≤ i64 max, |price| < 1e18 raw) first.
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
    const types = Array.from({ length: appender.columnCount }, (_, i) => appender.columnType(i));
    const chunk = DuckDBDataChunk.create(types);
    const cap = duckdb.vector_size();
    const numeric: NumericColumn[] = [
      columns.ts_event,
      columns.rtype,
      columns.publisher_id,
      columns.instrument_id,
      columns.open,
      columns.high,
      columns.low,
      columns.close,
      columns.volume,
    ];
    const validity = new BigUint64Array(Math.ceil(cap / 64));
    for (let off = 0; off < columns.length; off += cap) {
      const count = Math.min(cap, columns.length - off);
      chunk.reset();
      chunk.rowCount = count;
      for (let c = 0; c < numeric.length; c++) {
        const arr = numeric[c];
        const bpe = arr.BYTES_PER_ELEMENT;
        const vec = duckdb.data_chunk_get_vector(chunk.chunk, c);
        duckdb.copy_data_to_vector(vec, 0, arr.buffer as ArrayBuffer, arr.byteOffset + off * bpe, count * bpe);
      }
      const symVec = duckdb.data_chunk_get_vector(chunk.chunk, numeric.length);
      let nulls = false;
      for (let i = 0; i < count; i++) {
        const s = symbolAt(off + i);
        if (s === null || s === undefined) {
          if (!nulls) {
            validity.fill(0xffffffffffffffffn);
            nulls = true;
          }
          validity[i >> 6] &= ~(1n << BigInt(i & 63));
        } else {
          duckdb.vector_assign_string_element(symVec, i, s);
        }
      }
      if (nulls) {
        duckdb.vector_ensure_validity_writable(symVec);
        duckdb.copy_data_to_vector_validity(symVec, 0, validity.buffer, 0, Math.ceil(count / 64) * 8);
      }
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}
