import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ChunkManifest } from '../../chunk-store/chunk-store';
import { downloadChunk } from '../../chunk-store/download-chunk';
import type { ChunkQuote, SeriesKey, StoredChunkRef } from '../../domain/series';
import type { PipelineDeps } from '../deps';
import { withWarehouse } from '../deps';
import { ledgerRow, locationFor, requestFor } from '../series-chunk';
import { ensureRoom, roomNeeded } from './store-room';

/**
 * A download heartbeats its progress only once it has run this long. Each heartbeat is a server round trip, and a
 * chunk that arrives within a second (most daily and many half-year chunks) would spend two on telling no one
 * anything; a cancellation still reaches a longer download within about a second.
 */
export const FIRST_DOWNLOAD_HEARTBEAT_AFTER_MS = 1000;

export interface ChunkToFetch {
  chunk: ChunkQuote;
  /** the most this chunk may cost, agreed at the cost gate */
  approvedCostUsd: number;
}

export interface DownloadContext {
  /** when the activity started (performance.now()): heartbeats begin FIRST_DOWNLOAD_HEARTBEAT_AFTER_MS after it */
  startedAt: number;
  signal: AbortSignal;
}

/**
 * Re-quotes, then streams the chunk into the chunk store (resuming a partial file), with a `downloaded` ledger row.
 * A file already stored (same manifest, same sha256) is reused without a request. A quote above what was approved
 * stops the run: prices can change between approval and download.
 */
export async function downloadToStore(deps: PipelineDeps, series: SeriesKey, item: ChunkToFetch, ctx: DownloadContext): Promise<StoredChunkRef> {
  const { chunk } = item;
  const location = locationFor(series, chunk.id);
  const request = requestFor(series, chunk);
  const ref = (m: ChunkManifest, reused: boolean): StoredChunkRef => ({
    chunkId: chunk.id,
    start: chunk.start,
    end: chunk.end,
    file: m.file,
    sha256: m.sha256,
    records: m.records,
    recordBytes: m.recordBytes,
    bytesRequested: reused ? 0 : m.bytesRequested,
    costUsd: m.costUsd,
    hostQueue: deps.hostTaskQueue,
    reused,
  });
  const stored = await deps.store.verified(location, request);
  if (stored) return ref(stored, true);
  await ensureRoom(deps.store.dir(location), roomNeeded(chunk.billableBytes), chunk.id);

  const costUsd = await deps.databento.getCost(request);
  if (costUsd > item.approvedCostUsd + 1e-9) {
    throw ApplicationFailure.nonRetryable(
      `chunk ${chunk.id} now costs $${costUsd.toFixed(6)}, above the approved $${item.approvedCostUsd.toFixed(6)}: stopping before any download`,
      'CostAboveApproval',
    );
  }
  const activity = Context.current();
  const heartbeatAfterMs = deps.firstDownloadHeartbeatAfterMs ?? FIRST_DOWNLOAD_HEARTBEAT_AFTER_MS;
  const manifest = await downloadChunk({
    store: deps.store,
    location,
    request,
    source: deps.databento,
    costUsd,
    signal: ctx.signal,
    onProgress: (p) => {
      if (performance.now() - ctx.startedAt >= heartbeatAfterMs) activity.heartbeat({ chunk: chunk.id, ...p });
    },
  });
  await withWarehouse(deps, (w) =>
    w.recordLedger(ledgerRow(series, chunk, { status: 'downloaded', bytes: manifest.fileBytes, sha256: manifest.sha256, cost_usd: costUsd, rows: manifest.records })),
  );
  deps.logger.info({ component: 'activities', series: location.series, chunk: chunk.id, records: manifest.records, resumes: manifest.resumes }, 'chunk downloaded');
  return ref(manifest, false);
}
