import { z } from 'zod';
import type { Logger } from '../logging/logger';
import type { Warehouse } from '../warehouse/warehouse';
import type { Row } from '../warehouse/table-spec';
import type { FredClient } from './fred-client';
import { fredEconomicTable } from './fred-tables';

/** The macro series the feature matrix uses. */
export const DEFAULT_FRED_SERIES = [
  'DGS10', 'DGS2', 'VIXCLS', 'VXVCLS', 'DTWEXBGS', 'DEXUSEU', 'DEXCHUS', 'DEXBZUS', 'DEXJPUS', 'T10YIE', 'NFCI', 'DCOILWTICO',
] as const;

const DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const ingestFredInputSchema = z.object({
  seriesIds: z.array(z.string().regex(/^[A-Z0-9]{1,30}$/)).min(1).default([...DEFAULT_FRED_SERIES]),
  start: DATE.optional(),
  end: DATE.optional(),
  /** calendar years per request + MERGE */
  yearsPerChunk: z.number().int().min(1).max(100).default(10),
});
export type IngestFredInput = z.input<typeof ingestFredInputSchema>;

export interface IngestFredDeps {
  client: Pick<FredClient, 'getObservations' | 'getSeries'>;
  warehouse: Warehouse;
  logger?: Logger;
  /** clock for ingested_at (lineage only: never counts as a change) */
  now?: () => Date;
}

export interface IngestFredResult {
  series: { id: string; rows: number; inserted: number; updated: number }[];
}

function yearChunks(start: string, end: string, years: number): { start: string; end: string }[] {
  const out: { start: string; end: string }[] = [];
  for (let y = Number(start.slice(0, 4)); y <= Number(end.slice(0, 4)); y += years) {
    const from = `${String(y).padStart(4, '0')}-01-01`;
    const to = `${String(y + years - 1).padStart(4, '0')}-12-31`;
    out.push({ start: from < start ? start : from, end: to > end ? end : to });
  }
  return out;
}

/** Day after `date` (exclusive scope end). */
function nextDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/**
 * Loads FRED series into `raw_intelligence.fred_economic`, one request + staged MERGE per range of years.
 * Idempotent: the key is (series_id, date, realtime_start) and ingested_at is lineage, so a rerun on the same
 * vintage reports 0 inserted / 0 updated. FredError (bad key, unknown series) propagates with `retryable`.
 */
export async function ingestFredSeries(deps: IngestFredDeps, rawInput: IngestFredInput): Promise<IngestFredResult> {
  const input = ingestFredInputSchema.parse(rawInput);
  const now = deps.now ?? (() => new Date());
  await deps.warehouse.ensureTables([fredEconomicTable]);
  const result: IngestFredResult = { series: [] };
  for (const id of input.seriesIds) {
    let start = input.start;
    let end = input.end;
    if (!start || !end) {
      const info = await deps.client.getSeries(id);
      start ??= info.observation_start ?? undefined;
      end ??= info.observation_end ?? undefined;
    }
    const totals = { id, rows: 0, inserted: 0, updated: 0 };
    if (start && end && start <= end) {
      for (const chunk of yearChunks(start, end, input.yearsPerChunk)) {
        const obs = await deps.client.getObservations(id, chunk);
        if (obs.length === 0) continue;
        const ingestedAt = now().toISOString();
        const rows: Row[] = obs.map((o) => ({
          series_id: id,
          date: o.date,
          value: o.value === null ? null : Number(o.value),
          value_text: o.value,
          realtime_start: o.realtime_start,
          realtime_end: o.realtime_end,
          ingested_at: ingestedAt,
        }));
        const r = await deps.warehouse.upsertRows(fredEconomicTable, rows, {
          scope: { column: 'date', start: chunk.start, end: nextDay(chunk.end) },
        });
        totals.rows += r.rows;
        totals.inserted += r.inserted;
        totals.updated += r.updated;
      }
    }
    deps.logger?.info({ series: id, ...totals }, 'fred series ingested');
    result.series.push(totals);
  }
  return result;
}
