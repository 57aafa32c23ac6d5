import { heartbeat } from '@temporalio/activity';
import { type Span, planUncovered } from '../../domain/coverage';
import { parseTimeNs } from '../../domain/time';
import type { ChunkQuote, SeriesKey } from '../../domain/series';
import { seriesId } from '../../domain/series';
import type { LedgerRow } from '../../warehouse/warehouse';
import { asActivity } from '../as-activity';
import { type PipelineDeps, withWarehouse } from '../deps';
import { requestFor } from '../series-chunk';
import { quoteRange } from './quote-range';

export interface QuoteSeriesInput {
  series: SeriesKey;
  start: string;
  end: string;
}

export interface QuoteSeriesResult {
  chunks: ChunkQuote[];
  available: { start: string; end: string };
}

const LOADED: LedgerRow['status'][] = ['loaded', 'accepted'];

/** rows of the loaded ledger entries that lie within `slice` */
function rowsWithin(loaded: LedgerRow[], slice: Span): number {
  const [s, e] = [parseTimeNs(slice.start), parseTimeNs(slice.end)];
  return loaded.filter((r) => parseTimeNs(r.start) >= s && parseTimeNs(r.end) <= e).reduce((n, r) => n + (r.rows ?? 0), 0);
}

/**
 * Plans the series' request as the gaps between `[start, end)` (within the dataset's range) and what its ledger says
 * is loaded, split at half-years, and prices each gap. Slices loaded already are listed, at no cost, as loaded.
 */
export async function quoteSeries(deps: PipelineDeps, input: QuoteSeriesInput): Promise<QuoteSeriesResult> {
  const { series } = input;
  const range = await deps.databento.getDatasetRange(series.dataset);
  const available = range.schema?.[series.schema] ?? { start: range.start, end: range.end };
  const loaded = await withWarehouse(deps, async (w) => (await w.ledger({ series: seriesId(series) })).filter((r) => LOADED.includes(r.status)));
  const plan = planUncovered(input.start, input.end, loaded, available);
  const chunks: ChunkQuote[] = plan.covered.map((slice) => ({ ...slice, costUsd: 0, records: rowsWithin(loaded, slice), billableBytes: 0, alreadyLoaded: true }));
  for (const slice of plan.toFetch) {
    heartbeat({ quoted: chunks.length, of: plan.covered.length + plan.toFetch.length });
    chunks.push({ ...slice, ...(await quoteRange(deps.databento, requestFor(series, slice), slice.id)), alreadyLoaded: false });
  }
  chunks.sort((a, b) => (parseTimeNs(a.start) < parseTimeNs(b.start) ? -1 : 1));
  deps.logger.info({ component: 'activities', series: seriesId(series), toFetch: plan.toFetch.length, covered: plan.covered.length }, 'series quoted');
  return { chunks, available };
}

/** Pricing before any spend: the backfill's cost gate reads these quotes. */
export const quoteActivities = (deps: PipelineDeps) => ({
  quoteSeries: (input: QuoteSeriesInput) => asActivity(() => quoteSeries(deps, input), { heartbeats: 'own' }),
});
