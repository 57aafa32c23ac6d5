import { parseTimeNs } from '../domain/time';
import { WarehouseInputError } from './errors';
import { timestampText } from './sql-dialect';
import type { ColumnSpec, RowValue, TableSpec } from './table-spec';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const DECIMAL_TEXT = /^-?\d{1,29}(?:\.\d{1,9})?$/;
const DATE_TEXT = /^\d{4}-\d{2}-\d{2}$/;

/** `3702.750000000` → `3702.75`, `-0.0` → `0`: the form BigQuery prints and both adapters return. */
export function canonicalDecimal(text: string): string {
  let s = text.trim();
  let neg = false;
  if (s.startsWith('-')) {
    neg = true;
    s = s.slice(1);
  } else if (s.startsWith('+')) s = s.slice(1);
  let [int, frac = ''] = s.split('.');
  int = int.replace(/^0+(?=\d)/, '') || '0';
  frac = frac.replace(/0+$/, '');
  const body = frac ? `${int}.${frac}` : int;
  return neg && body !== '0' ? `-${body}` : body;
}

/** Exact decimal text of a 1e-9 fixed-point integer. */
export function fixedToDecimal(value: bigint, scale = 9): string {
  const neg = value < 0n;
  const abs = neg ? -value : value;
  const unit = 10n ** BigInt(scale);
  const text = `${abs / unit}.${(abs % unit).toString().padStart(scale, '0')}`;
  return canonicalDecimal(neg ? `-${text}` : text);
}

function fail(spec: TableSpec, column: ColumnSpec, rowIndex: number, why: string): never {
  throw new WarehouseInputError(`${spec.dataset}.${spec.name} row ${rowIndex} column ${column.name}: ${why}`);
}

/**
 * A row value as canonical text for staging (null stays null); throws WarehouseInputError naming row and column.
 * TIMESTAMP → `YYYY-MM-DD HH:MM:SS.ffffff` UTC; NUMERIC → exact decimal text; INT64 → integer text.
 */
export function stagingText(spec: TableSpec, column: ColumnSpec, value: RowValue | undefined, rowIndex: number): string | null {
  if (value === null || value === undefined) {
    if (column.nullable === false) fail(spec, column, rowIndex, 'is required');
    return null;
  }
  switch (column.type) {
    case 'STRING':
    case 'JSON':
      if (typeof value !== 'string') fail(spec, column, rowIndex, `want a string, got ${typeof value}`);
      return value;
    case 'INT64': {
      let n: bigint;
      if (typeof value === 'bigint') n = value;
      else if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
      else if (typeof value === 'string' && /^-?\d+$/.test(value)) n = BigInt(value);
      else fail(spec, column, rowIndex, `want an integer, got ${String(value)}`);
      if (n < INT64_MIN || n > INT64_MAX) fail(spec, column, rowIndex, `out of INT64 range: ${n}`);
      return n.toString();
    }
    case 'FLOAT64':
      if (typeof value !== 'number' || !Number.isFinite(value)) fail(spec, column, rowIndex, `want a finite number, got ${String(value)}`);
      return String(value);
    case 'NUMERIC': {
      const text = typeof value === 'bigint' ? value.toString() : typeof value === 'number' ? String(value) : value;
      if (typeof text !== 'string' || !DECIMAL_TEXT.test(text)) {
        fail(spec, column, rowIndex, `want exact decimal text with ≤ 9 decimals, got ${String(value)}`);
      }
      return canonicalDecimal(text);
    }
    case 'BOOL':
      if (typeof value !== 'boolean') fail(spec, column, rowIndex, `want a boolean, got ${String(value)}`);
      return value ? 'true' : 'false';
    case 'TIMESTAMP': {
      let ns: bigint;
      try {
        ns = typeof value === 'bigint' ? value : parseTimeNs(String(value));
      } catch (err) {
        fail(spec, column, rowIndex, (err as Error).message);
      }
      if (ns % 1000n !== 0n) fail(spec, column, rowIndex, `sub-microsecond timestamp ${ns} cannot be stored exactly`);
      return timestampText(ns);
    }
    case 'DATE':
      if (typeof value !== 'string' || !DATE_TEXT.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
        fail(spec, column, rowIndex, `want YYYY-MM-DD, got ${String(value)}`);
      }
      return value;
  }
}

/** Rejects rows with unknown columns or null keys before anything is staged. */
export function checkRowShape(spec: TableSpec, rows: readonly Record<string, RowValue>[]): void {
  const known = new Set(spec.columns.map((c) => c.name));
  rows.forEach((row, i) => {
    for (const name of Object.keys(row)) {
      if (!known.has(name)) throw new WarehouseInputError(`${spec.dataset}.${spec.name} row ${i}: unknown column ${name}`);
    }
    for (const k of spec.key) {
      if (row[k] === null || row[k] === undefined) throw new WarehouseInputError(`${spec.dataset}.${spec.name} row ${i}: key column ${k} is null`);
    }
  });
}

/** `2010-06-06T22:00:00.000000Z`: how both adapters return TIMESTAMP values. */
export function isoMicros(micros: bigint): string {
  const ms = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const iso = new Date(Number(ms)).toISOString();
  const frac = ((micros % 1_000_000n) + 1_000_000n) % 1_000_000n;
  return `${iso.slice(0, 19)}.${frac.toString().padStart(6, '0')}Z`;
}
