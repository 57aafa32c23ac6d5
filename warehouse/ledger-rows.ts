import { z } from 'zod';
import { isoSeconds, parseTimeNs } from '../domain/time';
import { ingestLedgerTable } from './core-tables';
import type { Row } from './table-spec';
import type { LedgerRow } from './warehouse';

const isoTime = z.string().refine((s) => {
  try {
    parseTimeNs(s);
    return true;
  } catch {
    return false;
  }
}, 'not an ISO timestamp');

export const ledgerRowSchema = z.object({
  chunk_id: z.string().min(1),
  series: z.string().min(1),
  dataset: z.string().min(1),
  schema: z.string().min(1),
  symbols: z.string(),
  start: isoTime,
  end: isoTime,
  status: z.enum(['planned', 'downloaded', 'validated', 'loaded', 'quarantined', 'accepted', 'failed']),
  rows: z.number().int().nonnegative().nullable(),
  bytes: z.number().int().nonnegative().nullable(),
  sha256: z.string().nullable(),
  cost_usd: z.number().finite().nullable(),
  validation: z.string().nullable(),
  error: z.string().nullable(),
  workflow_id: z.string().nullable(),
  updated_at: z.string(),
});

/** A validated LedgerRow as a table row (updated_at defaults to now). */
export function ledgerToRow(input: LedgerRow): Row {
  const row = ledgerRowSchema.parse(input);
  return { ...row, updated_at: row.updated_at === '' ? new Date().toISOString() : row.updated_at };
}

const toNumber = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const toStr = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** A query result row (strings for INT64, µs ISO timestamps) back to a LedgerRow. */
export function rowToLedger(r: Record<string, unknown>): LedgerRow {
  return {
    chunk_id: String(r.chunk_id),
    series: String(r.series),
    dataset: String(r.dataset),
    schema: String(r.schema),
    symbols: String(r.symbols),
    start: isoSeconds(parseTimeNs(String(r.start))),
    end: isoSeconds(parseTimeNs(String(r.end))),
    status: String(r.status) as LedgerRow['status'],
    rows: toNumber(r.rows),
    bytes: toNumber(r.bytes),
    sha256: toStr(r.sha256),
    cost_usd: toNumber(r.cost_usd),
    validation: toStr(r.validation),
    error: toStr(r.error),
    workflow_id: toStr(r.workflow_id),
    updated_at: String(r.updated_at),
  };
}

/** SELECT for ledger(filter), with `@`-parameters; `symbol` matches one entry of the comma-separated symbols. */
export function ledgerQuery(
  table: string,
  ident: (n: string) => string,
  filter: { series?: string; symbol?: string; status?: string } = {},
): { sql: string; params: Record<string, string> } {
  const where: string[] = [];
  const params: Record<string, string> = {};
  if (filter.series !== undefined) {
    where.push('series = @series');
    params.series = filter.series;
  }
  if (filter.status !== undefined) {
    where.push('status = @status');
    params.status = filter.status;
  }
  if (filter.symbol !== undefined) {
    where.push(`CONCAT(',', symbols, ',') LIKE @symbol_like`);
    params.symbol_like = `%,${filter.symbol.replace(/[%_]/g, '')},%`;
  }
  const cols = ingestLedgerTable.columns.map((c) => ident(c.name)).join(', ');
  return {
    sql: `SELECT ${cols} FROM ${table}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${ident('series')}, ${ident('start')}, ${ident('chunk_id')}`,
    params,
  };
}
