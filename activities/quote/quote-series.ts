import { heartbeat } from '@temporalio/activity';
import { planHalfYearChunks } from '../../domain/chunks';
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

const isLoaded = (row: LedgerRow | undefined, plan: { start: string; end: string }): row is LedgerRow =>
  !!row && (row.status === 'loaded' || row.status === 'accepted') && row.start === plan.start && row.end === plan.end;

/** Plans the series' half-year chunks within the dataset's range and prices every chunk not yet loaded. */
export async function quoteSeries(deps: PipelineDeps, input: QuoteSeriesInput): Promise<QuoteSeriesResult> {
  const { series } = input;
  const range = await deps.databento.getDatasetRange(series.dataset);
  const available = range.schema?.[series.schema] ?? { start: range.start, end: range.end };
  const plans = planHalfYearChunks(input.start, input.end, available);
  const ledger = await withWarehouse(deps, async (w) => new Map((await w.ledger({ series: seriesId(series) })).map((r) => [r.chunk_id, r])));
  const chunks: ChunkQuote[] = [];
  for (const plan of plans) {
    heartbeat({ quoted: chunks.length, of: plans.length });
    const prev = ledger.get(plan.id);
    if (isLoaded(prev, plan)) {
      chunks.push({ ...plan, costUsd: 0, records: prev.rows ?? 0, billableBytes: 0, alreadyLoaded: true });
    } else {
      chunks.push({ ...plan, ...(await quoteRange(deps.databento, requestFor(series, plan), plan.id)), alreadyLoaded: false });
    }
  }
  deps.logger.info({ component: 'activities', series: seriesId(series), chunks: chunks.length }, 'series quoted');
  return { chunks, available };
}

/** Pricing before any spend: the backfill's cost gate reads these quotes. */
export const quoteActivities = (deps: PipelineDeps) => ({
  quoteSeries: (input: QuoteSeriesInput) => asActivity(() => quoteSeries(deps, input), { heartbeats: 'own' }),
});
