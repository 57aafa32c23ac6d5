import {
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBValue,
} from '@duckdb/node-api';
import { canonicalDecimal, fixedToDecimal, isoMicros } from '../row-values';

/**
 * A DuckDB value as the warehouse's JSON-safe result value: integers wider than 32 bits and decimals as exact
 * strings, timestamps as µs ISO (`...000000Z`), dates as `YYYY-MM-DD`.
 */
export function fromDuckDbValue(v: DuckDBValue): unknown {
  if (v === null) return null;
  switch (typeof v) {
    case 'bigint':
      return v.toString();
    case 'number':
    case 'boolean':
    case 'string':
      return v;
  }
  if (v instanceof DuckDBDecimalValue) return fixedToDecimal(v.value, v.scale);
  if (v instanceof DuckDBTimestampValue || v instanceof DuckDBTimestampTZValue) return isoMicros(v.micros);
  if (v instanceof DuckDBTimestampNanosecondsValue) {
    const ns = v.nanos;
    return `${isoMicros(ns / 1000n).slice(0, -1)}${(((ns % 1000n) + 1000n) % 1000n).toString().padStart(3, '0')}Z`;
  }
  if (v instanceof DuckDBDateValue) return v.toString();
  const text = String(v);
  return /^-?\d+\.\d+$/.test(text) ? canonicalDecimal(text) : text;
}
