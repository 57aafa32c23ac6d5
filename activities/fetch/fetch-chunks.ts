import { Context } from '@temporalio/activity';
import type { SeriesKey, StoredChunkRef } from '../../domain/series';
import { asActivity } from '../as-activity';
import type { PipelineDeps } from '../deps';
import { locationFor } from '../series-chunk';
import { type ValidationOutcome, checkStoredChunk, quarantineChunk } from './check-chunk';
import { type ChunkToFetch, type DownloadContext, FIRST_DOWNLOAD_HEARTBEAT_AFTER_MS, downloadToStore } from './download-to-store';

/** downloads of one batch under way at once: well within Databento's 100 concurrent connections */
export const DOWNLOADS_AT_ONCE = 4;

export interface FetchChunksInput {
  series: SeriesKey;
  chunks: ChunkToFetch[];
}

/** A chunk in this host's store, checked: `ok` false means it failed validation and was quarantined. */
export interface FetchedChunk {
  ref: StoredChunkRef;
  validation: ValidationOutcome;
}

/**
 * Downloads a batch of consecutive chunks, DOWNLOADS_AT_ONCE at a time (each re-quoted just before its request).
 * After a failure no other download starts; the call ends once those under way have, with the first error. A retry
 * finds the chunks already stored and resumes the partial ones.
 */
async function downloadAll(deps: PipelineDeps, input: FetchChunksInput, startedAt: number): Promise<StoredChunkRef[]> {
  const refs: StoredChunkRef[] = [];
  const errors: unknown[] = [];
  let next = 0;
  const downloader = async () => {
    while (!errors.length && next < input.chunks.length) {
      const i = next++;
      // a signal of its own that follows the activity's: concurrent downloads would otherwise pile their abort
      // listeners onto one signal (Node warns past 10)
      const ctx: DownloadContext = { startedAt, signal: AbortSignal.any([Context.current().cancellationSignal]) };
      try {
        refs[i] = await downloadToStore(deps, input.series, input.chunks[i], ctx);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(DOWNLOADS_AT_ONCE, input.chunks.length) }, downloader));
  if (errors.length) throw errors[0];
  return refs;
}

/**
 * download → validate for a batch, on the host that keeps the files: every chunk is downloaded (or found stored),
 * then checked; the ones that fail are quarantined last, once nothing else in the activity can fail.
 */
export async function fetchChunks(deps: PipelineDeps, input: FetchChunksInput): Promise<FetchedChunk[]> {
  const startedAt = performance.now();
  const refs = await downloadAll(deps, input, startedAt);
  const fetched: FetchedChunk[] = [];
  for (const ref of refs) {
    fetched.push({ ref, validation: await checkStoredChunk(deps, input.series, ref) });
    // a long batch keeps telling the server it is alive (as its downloads do), a short one spends no round trip
    if (performance.now() - startedAt >= (deps.firstDownloadHeartbeatAfterMs ?? FIRST_DOWNLOAD_HEARTBEAT_AFTER_MS)) Context.current().heartbeat({ validated: ref.chunkId });
  }
  for (const { ref, validation } of fetched) if (!validation.ok) await quarantineChunk(deps, input.series, ref, validation.summary);
  return fetched;
}

/** The paid step: chunks into this host's store, validated; and forgetting one for an operator's re-download. */
export const fetchActivities = (deps: PipelineDeps) => ({
  fetchChunks: (input: FetchChunksInput) => asActivity(() => fetchChunks(deps, input), { heartbeats: 'own' }),
  /** Forgets a stored chunk so the next fetch downloads it again (operator re-download of a quarantined chunk). */
  discardChunk: (input: { series: SeriesKey; chunkId: string }) => asActivity(() => deps.store.discard(locationFor(input.series, input.chunkId))),
});
