import { heartbeat } from '@temporalio/activity';
import { type Span, planUncovered } from '../../domain/coverage';
import { lastCompleteDayEnd } from '../../domain/daily-chunks';
import { BAR_TABLE, OHLCV_INTERVAL_NS } from '../../domain/databento-enums';
import type { ChunkQuote, SeriesKey } from '../../domain/series';
import { seriesId } from '../../domain/series';
import { isoSeconds, parseTimeNs } from '../../domain/time';
import type { LedgerRow } from '../../warehouse/warehouse';
import { type PipelineDeps, withWarehouse } from '../deps';
import { quoteRange } from '../quote/quote-range';
import { requestFor } from '../series-chunk';

/** What a daily run should fetch for one series: the range after what is loaded, up to the last complete UTC day. */
export interface DailyPlan {
  series: string;
  status: 'new-data' | 'up-to-date' | 'no-history';
  /** where `from` came from: the ledger's last loaded end, or the newest bar in the warehouse */
  basis: 'ledger' | 'bars' | null;
  /** ISO seconds, inclusive */
  from: string | null;
  /** ISO seconds, exclusive */
  to: string | null;
  /** slices to ingest (ids encode partial ranges, see chunkIdFor) */
  chunks: ChunkQuote[];
  costUsd: number;
  records: number;
  detail: string;
}

export const LOADED: LedgerRow['status'][] = ['loaded', 'accepted'];

interface ProviderRangeError {
  detail?: { case?: string; payload?: unknown };
}

/** Databento's 422 for symbols whose own data ends before the dataset's end: where it ends, if it says. */
function symbolDataEnd(err: unknown): { availableEnd: string } | null {
  const detail = (err as ProviderRangeError)?.detail;
  const payload = detail?.payload as { available_end?: unknown } | undefined;
  if (typeof payload?.available_end !== 'string') return null;
  const cases = ['data_end_after_available_end', 'data_start_after_available_end'];
  return detail?.case && cases.includes(detail.case) ? { availableEnd: payload.available_end } : null;
}

async function lastLoadedEnd(deps: PipelineDeps, series: SeriesKey): Promise<{ from: string; basis: 'ledger' | 'bars'; loaded: Span[] } | null> {
  return withWarehouse(deps, async (w) => {
    const rows = (await w.ledger({ series: seriesId(series) })).filter((r) => LOADED.includes(r.status));
    if (rows.length) {
      const end = rows.map((r) => parseTimeNs(r.end)).reduce((a, b) => (b > a ? b : a));
      return { from: isoSeconds(end), basis: 'ledger', loaded: rows };
    }
    // loaded before the ledger existed (or by hand): continue after the newest bar of that symbol
    const [row] = await w.query<{ last: string | null }>(`SELECT MAX(ts_event) AS last FROM market_data.${BAR_TABLE[series.schema]} WHERE symbol = @symbol`, {
      symbol: series.symbol,
    });
    if (!row?.last) return null;
    return { from: isoSeconds(parseTimeNs(String(row.last)) + OHLCV_INTERVAL_NS[series.schema]), basis: 'bars', loaded: [] };
  });
}

/** the same planner as a backfill's: the gaps in [from, to) that nothing loaded covers, split at half-years */
async function quoteSlices(deps: PipelineDeps, series: SeriesKey, from: string, to: string, loaded: Span[]): Promise<ChunkQuote[]> {
  const plans = planUncovered(from, to, loaded).toFetch;
  const chunks: ChunkQuote[] = [];
  for (const plan of plans) {
    heartbeat({ quoted: chunks.length, of: plans.length });
    const quote = await quoteRange(deps.databento, requestFor(series, plan), plan.id);
    chunks.push({ ...plan, ...quote, alreadyLoaded: false });
  }
  return chunks;
}

/**
 * Plans and prices a series' daily increment: `[last loaded end, min(dataset end, last complete UTC day))`.
 * Nothing new (or no bars in it) → `up-to-date`; no history at all → `no-history` (a backfill comes first).
 */
export async function planDailySeries(deps: PipelineDeps, input: { series: SeriesKey; nowMs?: number }): Promise<DailyPlan> {
  const { series } = input;
  const id = seriesId(series);
  const base = { series: id, chunks: [], costUsd: 0, records: 0 };
  const last = await lastLoadedEnd(deps, series);
  if (!last) return { ...base, status: 'no-history', basis: null, from: null, to: null, detail: `${id}: nothing loaded yet; run a backfill first` };
  const range = await deps.databento.getDatasetRange(series.dataset);
  const available = range.schema?.[series.schema] ?? { start: range.start, end: range.end };
  const today = lastCompleteDayEnd(input.nowMs ?? Date.now());
  let to = parseTimeNs(available.end) < parseTimeNs(today) ? isoSeconds(parseTimeNs(available.end)) : today;
  const upToDate = (why: string): DailyPlan => ({ ...base, status: 'up-to-date', basis: last.basis, from: last.from, to, detail: `${id}: ${why}` });

  let providerEnd: string | null = null;
  for (let attempt = 0; ; attempt++) {
    if (parseTimeNs(last.from) >= parseTimeNs(to)) {
      return upToDate(`up to date (loaded to ${last.from}, data available to ${to}${providerEnd ? ` for ${series.symbol}` : ''})`);
    }
    let chunks: ChunkQuote[];
    try {
      chunks = await quoteSlices(deps, series, last.from, to, last.loaded);
    } catch (err) {
      // the dataset's range is dataset-wide; a symbol's own data can end earlier (expired, delisted, not recorded)
      const ends = symbolDataEnd(err);
      if (!ends || attempt > 0 || parseTimeNs(ends.availableEnd) >= parseTimeNs(to)) throw err;
      to = isoSeconds(parseTimeNs(ends.availableEnd));
      providerEnd = to;
      continue;
    }
    const records = chunks.reduce((s, c) => s + c.records, 0);
    if (records === 0) return upToDate(`no new bars in [${last.from}, ${to})`);
    const costUsd = chunks.reduce((s, c) => s + c.costUsd, 0);
    deps.logger.info({ component: 'daily-activities', series: id, from: last.from, to, chunks: chunks.length, records, costUsd }, 'daily increment planned');
    const ends = providerEnd ? ` (the provider's data for ${series.symbol} ends there)` : '';
    const detail = `${id}: ${records} new records in [${last.from}, ${to})${ends} for USD ${costUsd.toFixed(6)}`;
    return { series: id, status: 'new-data', basis: last.basis, from: last.from, to, chunks: chunks.filter((c) => c.records > 0), costUsd, records, detail };
  }
}
