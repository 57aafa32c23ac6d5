import type { ChunkLocation } from '../chunk-store/chunk-store';
import type { RangeRequest } from '../chunk-store/download-chunk';
import { type SeriesKey, seriesId } from '../domain/series';
import type { LedgerRow } from '../warehouse/warehouse';
import { currentActivity } from './as-activity';

/** A chunk's range as the workflow and the ledger know it. */
export interface ChunkSpan {
  id: string;
  start: string;
  end: string;
}

/** The get_range (and quote) request of one chunk of a series. */
export const requestFor = (series: SeriesKey, chunk: { start: string; end: string }): RangeRequest => ({
  dataset: series.dataset,
  schema: series.schema,
  symbols: [series.symbol],
  stypeIn: series.stypeIn,
  start: chunk.start,
  end: chunk.end,
});

/** Where a chunk of a series lives in a chunk store. */
export const locationFor = (series: SeriesKey, chunkId: string): ChunkLocation & { series: string } => ({
  dataset: series.dataset,
  schema: series.schema,
  symbol: series.symbol,
  chunkId,
  series: seriesId(series),
});

/** A ledger row for a chunk, stamped with the running activity's workflow id. */
export function ledgerRow(series: SeriesKey, chunk: ChunkSpan, patch: Partial<LedgerRow>): LedgerRow {
  return {
    chunk_id: chunk.id,
    series: seriesId(series),
    dataset: series.dataset,
    schema: series.schema,
    symbols: series.symbol,
    start: chunk.start,
    end: chunk.end,
    status: 'planned',
    rows: null,
    bytes: null,
    sha256: null,
    cost_usd: null,
    validation: null,
    error: null,
    workflow_id: currentActivity()?.info?.workflowExecution?.workflowId ?? null,
    updated_at: new Date().toISOString(),
    ...patch,
  };
}
