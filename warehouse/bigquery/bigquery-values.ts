import { canonicalDecimal, isoMicros } from '../row-values';

export interface RawField {
  name: string;
  type: string;
  mode?: string;
  fields?: RawField[];
}
type RawCell = { v: unknown };
type RawRow = { f: RawCell[] };

/** µs since the epoch from the REST forms of a TIMESTAMP: int64 µs, float seconds, or ISO text. */
function timestampMicros(v: string): bigint {
  if (/^-?\d+$/.test(v)) return BigInt(v);
  const m = /^(-?\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(v);
  if (m) {
    // float seconds, possibly in E notation (`1.6E9`): shift the decimal point exactly
    const [, int, frac = '', exp = '0'] = m;
    const digits = int.replace('-', '') + frac;
    const point = int.replace('-', '').length + Number(exp) + 6;
    const padded = point >= digits.length ? digits.padEnd(point, '0') : digits.slice(0, point);
    return (int.startsWith('-') ? -1n : 1n) * BigInt(padded || '0');
  }
  return BigInt(Date.parse(v)) * 1000n;
}

function convert(field: RawField, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (field.mode === 'REPEATED') return (v as RawCell[]).map((c) => convert({ ...field, mode: 'NULLABLE' }, c.v));
  switch (field.type.toUpperCase()) {
    case 'INTEGER':
    case 'INT64':
      return String(v);
    case 'NUMERIC':
    case 'BIGNUMERIC':
      return canonicalDecimal(String(v));
    case 'FLOAT':
    case 'FLOAT64':
      return Number(v);
    case 'BOOLEAN':
    case 'BOOL':
      return String(v).toLowerCase() === 'true';
    case 'TIMESTAMP':
      return isoMicros(timestampMicros(String(v)));
    case 'RECORD':
    case 'STRUCT':
      return fromBigQueryRow(field.fields ?? [], v as RawRow);
    default:
      return String(v);
  }
}

function fromBigQueryRow(fields: RawField[], row: RawRow): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  fields.forEach((f, i) => (out[f.name] = convert(f, row.f[i]?.v)));
  return out;
}

/**
 * Raw `jobs.getQueryResults` rows → plain objects with the same conventions as DuckDB results:
 * INT64 and NUMERIC as exact strings, TIMESTAMP as µs ISO, DATE as text.
 */
export function fromBigQueryRows(fields: RawField[], rows: RawRow[] | undefined): Record<string, unknown>[] {
  return (rows ?? []).map((r) => fromBigQueryRow(fields, r));
}
