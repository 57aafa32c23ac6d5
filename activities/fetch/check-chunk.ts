import type { SeriesKey, StoredChunkRef } from '../../domain/series';
import { type PipelineDeps, withWarehouse } from '../deps';
import { ledgerRow, locationFor } from '../series-chunk';
import { validateStoredChunk } from './validate-stored-chunk';

export interface ValidationOutcome {
  ok: boolean;
  summary: string;
  errors: number;
  warnings: number;
  reportFile: string;
}

/** Runs every validation rule over a stored chunk and writes its JSON report beside the file. */
export async function checkStoredChunk(deps: PipelineDeps, series: SeriesKey, chunk: StoredChunkRef): Promise<ValidationOutcome> {
  const location = locationFor(series, chunk.chunkId);
  const { report } = await validateStoredChunk(deps.store, location, { schema: series.schema, start: chunk.start, end: chunk.end });
  const reportFile = deps.store.paths(location).report;
  await deps.store.writeAtomic(reportFile, `${JSON.stringify(report, null, 2)}\n`);
  const count = (severity: string) => report.rules.filter((r) => r.severity === severity && r.count > 0).length;
  return { ok: report.ok, summary: report.summary, errors: count('error'), warnings: count('warning'), reportFile };
}

/**
 * Records a chunk that failed validation as `quarantined` in the ledger, then moves its file aside on this host so
 * it is never loaded by mistake. The ledger row comes first: if it cannot be written, the activity is retried with
 * the file still in place, and nothing is requested again.
 */
export async function quarantineChunk(deps: PipelineDeps, series: SeriesKey, chunk: StoredChunkRef, summary: string): Promise<void> {
  const span = { id: chunk.chunkId, start: chunk.start, end: chunk.end };
  await withWarehouse(deps, (w) =>
    w.recordLedger(ledgerRow(series, span, { status: 'quarantined', sha256: chunk.sha256, cost_usd: chunk.costUsd, validation: summary, error: summary })),
  );
  await deps.store.quarantine(locationFor(series, chunk.chunkId));
  deps.logger.warn({ component: 'activities', series: locationFor(series, chunk.chunkId).series, chunk: chunk.chunkId, summary }, 'chunk quarantined');
}
