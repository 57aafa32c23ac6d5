import { ApplicationFailure } from '@temporalio/common';
import type { SeriesKey, StoredChunkRef } from '../../domain/series';
import { asActivity } from '../as-activity';
import type { PipelineDeps } from '../deps';
import { locationFor } from '../series-chunk';
import { KeyedMutex } from './keyed-mutex';
import { type LoadOutcome, loadStored } from './load-stored';
import { updateRollCalendar } from './roll-calendar';

export interface LoadChunksInput {
  series: SeriesKey;
  chunks: { chunk: StoredChunkRef; validationSummary?: string }[];
}

export interface AcceptChunkInput {
  series: SeriesKey;
  chunk: StoredChunkRef;
  reason?: string;
}

/** Loads a quarantined chunk as it is, because an operator accepted it; recorded as `accepted` in the ledger. */
async function acceptQuarantined(deps: PipelineDeps, seriesLoads: KeyedMutex, input: AcceptChunkInput): Promise<LoadOutcome> {
  if (!(await deps.store.restoreFromQuarantine(locationFor(input.series, input.chunk.chunkId)))) {
    throw ApplicationFailure.nonRetryable(`chunk ${input.chunk.chunkId} is not in this host's quarantine`, 'QuarantinedChunkMissing');
  }
  const validationSummary = `accepted by operator${input.reason ? `: ${input.reason}` : ''}`;
  return (await loadStored(deps, seriesLoads, input.series, [{ chunk: input.chunk, status: 'accepted', validationSummary }]))[0];
}

/** Warehouse writes of a series, on the host that holds its chunk files. */
export function loadActivities(deps: PipelineDeps) {
  /** one load per series at a time in this worker: a load's bars, symbology and ledger row stay together, and two
   * MERGEs of one series never race for the same BigQuery partition */
  const seriesLoads = new KeyedMutex();
  return {
    /**
     * Each chunk of a batch, in order, in its own idempotent MERGE with its `loaded` ledger row, on one warehouse
     * connection; a retry loads again the ones that were loaded (no row changes) and goes on.
     */
    loadChunks: (input: LoadChunksInput) =>
      asActivity(() => loadStored(deps, seriesLoads, input.series, input.chunks.map((c) => ({ ...c, status: 'loaded' as const })))),
    acceptQuarantinedChunk: (input: AcceptChunkInput) => asActivity(() => acceptQuarantined(deps, seriesLoads, input)),
    updateRollCalendar: (input: { series: SeriesKey }) => asActivity(() => updateRollCalendar(deps, input.series)),
  };
}
