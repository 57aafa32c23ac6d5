import { decodeOhlcvColumns } from '../../dbn/decode';
import { TsSymbolMap } from '../../dbn/symbol-map';
import type { SeriesKey, StoredChunkRef } from '../../domain/series';
import { seriesId } from '../../domain/series';
import { symbologyRowsFromMetadata } from '../../futures/instrument-rows';
import { symbologyTable } from '../../warehouse/core-tables';
import type { Warehouse } from '../../warehouse/warehouse';
import { currentActivity } from '../as-activity';
import { type PipelineDeps, withWarehouse } from '../deps';
import { ledgerRow, locationFor } from '../series-chunk';
import type { KeyedMutex } from './keyed-mutex';

export interface LoadOutcome {
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  table: string;
}

/** A stored chunk to load: `loaded` after validation, or `accepted` after an operator's review. */
export interface ChunkToLoad {
  chunk: StoredChunkRef;
  status: 'loaded' | 'accepted';
  validationSummary?: string;
}

type Write = (w: Warehouse) => Promise<LoadOutcome>;

/** Reads and decodes one stored chunk now; the returned write MERGEs its bars, symbology and ledger row. */
async function prepareWrite(deps: PipelineDeps, series: SeriesKey, { chunk, status, validationSummary }: ChunkToLoad): Promise<Write> {
  const location = locationFor(series, chunk.chunkId);
  const { bytes, manifest } = await deps.store.readVerified(location);
  const { metadata, columns } = decodeOhlcvColumns(bytes);
  const symbols = TsSymbolMap.fromMetadata(metadata);
  const span = { id: chunk.chunkId, start: chunk.start, end: chunk.end };
  return async (w) => {
    const result = await w.loadBars({
      chunk: { chunkId: chunk.chunkId, dataset: series.dataset, schema: series.schema, start: chunk.start, end: chunk.end, symbols: [series.symbol], stypeIn: series.stypeIn },
      columns,
      symbol: (i: number) => symbols.symbolFor(columns.instrument_id[i], columns.ts_event[i]) ?? series.symbol,
    });
    // the chunk's symbol → instrument_id intervals, as Databento resolved them for this request
    const mappings = symbologyRowsFromMetadata(metadata, { dataset: series.dataset, source: `chunk ${location.series}/${chunk.chunkId}`, stypeIn: series.stypeIn });
    if (mappings.length) await w.upsertRows(symbologyTable, mappings);
    const validation = validationSummary ?? null;
    await w.recordLedger(ledgerRow(series, span, { status, rows: result.rows, bytes: manifest.fileBytes, sha256: manifest.sha256, cost_usd: manifest.costUsd, validation }));
    deps.logger.info({ component: 'activities', series: location.series, chunk: chunk.chunkId, status, ...result }, 'chunk loaded');
    return result;
  };
}

/**
 * Staged, idempotent MERGEs of stored chunks, in order, each with its ledger row. The files are read and decoded and
 * the warehouse opened at once; the warehouse work waits while this worker loads another batch of the series
 * (`seriesLoads`), so the workflow can queue the next load before the current one ends. The warehouse stays open
 * while the load waits: an embedded DuckDB file is then not reopened and checkpointed per load (docs/performance.md).
 */
export async function loadStored(deps: PipelineDeps, seriesLoads: KeyedMutex, series: SeriesKey, items: ChunkToLoad[]): Promise<LoadOutcome[]> {
  const writes: Write[] = [];
  for (const item of items) writes.push(await prepareWrite(deps, series, item));
  return withWarehouse(deps, (w) =>
    seriesLoads.run(
      seriesId(series),
      async () => {
        const outcomes: LoadOutcome[] = [];
        for (const write of writes) outcomes.push(await write(w));
        return outcomes;
      },
      currentActivity()?.cancellationSignal,
    ),
  );
}
