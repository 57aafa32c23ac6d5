import type { ColumnType } from './table-spec';

/** The few places where DuckDB and BigQuery SQL differ, so statements are built once for both. */
export interface SqlDialect {
  readonly kind: 'duckdb' | 'bigquery';
  ident(name: string): string;
  table(dataset: string, name: string): string;
  columnType(type: ColumnType): string;
  /** a TIMESTAMP literal for UNIX ns (whole microseconds; both engines store µs) */
  timestampLiteral(ns: bigint): string;
  stringLiteral(value: string): string;
}

/** `2010-06-06 22:00:00.000000` (UTC, µs) — the text form both engines parse as a TIMESTAMP. */
export function timestampText(ns: bigint): string {
  const micros = ns / 1000n;
  const ms = micros / 1000n;
  const iso = new Date(Number(ms)).toISOString();
  const frac = ((micros % 1_000_000n) + 1_000_000n) % 1_000_000n;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${frac.toString().padStart(6, '0')}`;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkIdent(name: string): string {
  if (!IDENT.test(name)) throw new RangeError(`not a plain identifier: ${JSON.stringify(name)}`);
  return name;
}

const DUCKDB_TYPES: Record<ColumnType, string> = {
  STRING: 'VARCHAR',
  INT64: 'BIGINT',
  FLOAT64: 'DOUBLE',
  // BigQuery NUMERIC is precision 38, scale 9: the same type here keeps both warehouses exact and alike
  NUMERIC: 'DECIMAL(38,9)',
  BOOL: 'BOOLEAN',
  // microseconds, as in BigQuery; bars are whole seconds so nothing is lost
  TIMESTAMP: 'TIMESTAMP',
  DATE: 'DATE',
  JSON: 'JSON',
};

const BIGQUERY_TYPES: Record<ColumnType, string> = {
  STRING: 'STRING',
  INT64: 'INT64',
  FLOAT64: 'FLOAT64',
  NUMERIC: 'NUMERIC',
  BOOL: 'BOOL',
  TIMESTAMP: 'TIMESTAMP',
  DATE: 'DATE',
  JSON: 'JSON',
};

export const duckdbDialect: SqlDialect = {
  kind: 'duckdb',
  ident: (name) => `"${checkIdent(name)}"`,
  table: (dataset, name) => `"${checkIdent(dataset)}"."${checkIdent(name)}"`,
  columnType: (type) => DUCKDB_TYPES[type],
  timestampLiteral: (ns) => `TIMESTAMP '${timestampText(ns)}'`,
  stringLiteral: (value) => `'${value.replace(/'/g, "''")}'`,
};

export const bigqueryDialect: SqlDialect = {
  kind: 'bigquery',
  ident: (name) => `\`${checkIdent(name)}\``,
  table: (dataset, name) => `\`${checkIdent(dataset)}.${checkIdent(name)}\``,
  columnType: (type) => BIGQUERY_TYPES[type],
  timestampLiteral: (ns) => `TIMESTAMP '${timestampText(ns)}+00'`,
  stringLiteral: (value) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`,
};

export { DUCKDB_TYPES, BIGQUERY_TYPES };

/** A typed SQL literal from canonical staging text (see row-values `stagingText`). */
export function typedLiteral(d: SqlDialect, type: ColumnType, text: string | null): string {
  if (text === null) return 'NULL';
  switch (type) {
    case 'INT64':
    case 'FLOAT64':
    case 'BOOL':
      return text;
    case 'TIMESTAMP':
      return d.kind === 'duckdb' ? `TIMESTAMP '${text}'` : `TIMESTAMP '${text}+00'`;
    case 'DATE':
      return `DATE '${text}'`;
    case 'NUMERIC':
      return `CAST('${text}' AS ${d.columnType('NUMERIC')})`;
    default:
      return d.stringLiteral(text);
  }
}
