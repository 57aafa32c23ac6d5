import { z } from 'zod';
import type { Logger } from '../logging/logger';
import { barTableSpec } from '../warehouse/core-tables';
import type { Row } from '../warehouse/table-spec';
import type { Warehouse } from '../warehouse/warehouse';
import { fredEconomicTable } from '../fred/fred-tables';
import { buildDailyMatrix, type DailyBar, type FredPoint, type MatrixRow } from './build-daily-matrix';
import { dailyBarsFromRows, type WarehouseBarRow } from './daily-bars';
import { CROSS_ASSET_ROOTS, FRED_SERIES_USED } from './feature-catalog';
import { dailyMlMatrixTable } from './feature-tables';

export const ZL_SYMBOL = 'ZL.c.0';
const barsTable = barTableSpec('ohlcv-1d');
const BARS = `${barsTable.dataset}.${barsTable.name}`;
const FRED = `${fredEconomicTable.dataset}.${fredEconomicTable.name}`;
const MATRIX = `${dailyMlMatrixTable.dataset}.${dailyMlMatrixTable.name}`;

export const buildFeaturesInputSchema = z.object({
  /** only rows dated ≥ since are written (the computation always uses the full history) */
  since: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
});
export type BuildFeaturesInput = z.input<typeof buildFeaturesInputSchema>;

export interface BuildFeaturesResult {
  rows: number;
  /** rows inserted, updated or deleted in the warehouse */
  changed: number;
  inserted: number;
  updated: number;
  deleted: number;
  firstDate: string;
  lastDate: string;
  crossAssets: string[];
  /** why nothing was built (no ZL.c.0 bars yet), so a backfill of other symbols does not fail here */
  skipped?: string;
}

/** The reason buildFeatures skips (returned as `skipped`, not thrown: other symbols' backfills must not fail on it). */
export class NoZlBarsError extends Error {
  override readonly name = 'NoZlBarsError';
  readonly code = 'FEATURES_NO_ZL_BARS';
  readonly retryable = false;
  constructor(readonly symbol: string) {
    super(`no ${symbol} ohlcv-1d bars in ${BARS}: backfill them before building features`);
  }
}

/** Continuous front-month symbol per cross-asset root; prefers calendar (.c.) over open-interest (.n.) over volume (.v.) rolls. */
export function pickCrossAssetSymbols(symbols: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const root of CROSS_ASSET_ROOTS) {
    for (const rule of ['c', 'n', 'v']) {
      const s = `${root}.${rule}.0`;
      if (symbols.includes(s)) {
        out[root] = s;
        break;
      }
    }
  }
  return out;
}

async function readBars(warehouse: Warehouse, symbol: string): Promise<DailyBar[]> {
  const rows = await warehouse.query<WarehouseBarRow>(
    `SELECT CAST(ts_event AS DATE) AS date, instrument_id, close, volume FROM ${BARS} WHERE symbol = @symbol ORDER BY ts_event`,
    { symbol },
  );
  return dailyBarsFromRows(rows.map((r) => ({ ...r, date: String(r.date) })));
}

/** Latest vintage (realtime_start) per series and date. */
async function readFred(warehouse: Warehouse): Promise<Record<string, FredPoint[]>> {
  const rows = await warehouse.query<{ series_id: string; date: string; value: number | null }>(
    `SELECT series_id, date, value FROM (
       SELECT series_id, date, value, ROW_NUMBER() OVER (PARTITION BY series_id, date ORDER BY realtime_start DESC) AS vintage_rank
       FROM ${FRED} WHERE series_id IN (${FRED_SERIES_USED.map((s) => `'${s}'`).join(', ')})
     ) AS v WHERE vintage_rank = 1 ORDER BY series_id, date`,
  );
  const out: Record<string, FredPoint[]> = {};
  for (const r of rows) (out[r.series_id] ??= []).push({ date: String(r.date), value: r.value === null ? null : Number(r.value) });
  return out;
}

export function matrixRowToWarehouseRow(row: MatrixRow): Row {
  return { ...row } as Row;
}

/**
 * Rebuilds `training.daily_ml_matrix` from the bars and FRED data in the warehouse. The whole history is
 * recomputed in memory (≈4,000 rows, well under a second) so every lookback is always complete; the MERGE then
 * writes only rows whose values differ, so a rerun on unchanged inputs reports 0 changes.
 */
export async function buildFeatures(deps: { warehouse: Warehouse; logger?: Logger }, rawInput: BuildFeaturesInput = {}): Promise<BuildFeaturesResult> {
  const input = buildFeaturesInputSchema.parse(rawInput);
  const { warehouse } = deps;
  await warehouse.ensureTables([barsTable, fredEconomicTable, dailyMlMatrixTable]);
  const zl = await readBars(warehouse, ZL_SYMBOL);
  if (zl.length === 0) {
    const skipped = new NoZlBarsError(ZL_SYMBOL).message;
    deps.logger?.warn({ table: MATRIX }, skipped);
    return { rows: 0, changed: 0, inserted: 0, updated: 0, deleted: 0, firstDate: '', lastDate: '', crossAssets: [], skipped };
  }
  const symbols = (await warehouse.query<{ symbol: string }>(`SELECT DISTINCT symbol FROM ${BARS} WHERE symbol IS NOT NULL`)).map((r) => r.symbol);
  const crossSymbols = pickCrossAssetSymbols(symbols);
  const crossAssets: Record<string, DailyBar[]> = {};
  for (const [root, symbol] of Object.entries(crossSymbols)) crossAssets[root] = await readBars(warehouse, symbol);
  const fred = await readFred(warehouse);
  const all = buildDailyMatrix({ zl, crossAssets, fred });
  const rows = input.since ? all.filter((r) => r.date >= input.since!) : all;
  const base = { rows: rows.length, crossAssets: Object.values(crossSymbols), firstDate: rows[0]?.date ?? '', lastDate: rows.at(-1)?.date ?? '' };
  if (rows.length === 0) return { ...base, changed: 0, inserted: 0, updated: 0, deleted: 0 };
  const r = await warehouse.upsertRows(dailyMlMatrixTable, rows.map(matrixRowToWarehouseRow), {
    scope: { column: 'date', start: rows[0].date, end: '9999-12-31' },
    deleteMissingInScope: true,
  });
  const result = { ...base, changed: r.inserted + r.updated + r.deleted, inserted: r.inserted, updated: r.updated, deleted: r.deleted };
  deps.logger?.info({ ...result, table: MATRIX }, 'feature matrix built');
  return result;
}
