/** How many consecutive chunks one download, one validation and one load may carry together. */
export interface ChunkBatchLimits {
  maxChunks: number;
  /** billable bytes (Databento's quote) of a batch; a chunk larger than this travels alone */
  maxBytes: number;
}

/**
 * Small chunks travel in batches of up to 12 and 1 MiB: a half-year of daily bars is ~7 KB and loads in ~50 ms, about
 * what the two workflow tasks and two activity round trips that carried it alone cost in CPU (bench:pipeline: 45–62
 * ms per chunk; 17–21 in batches of 8, 10–12 in batches of 12, which also cut the direct side's time by ~7%: fewer
 * warehouse opens and checkpoints). A half-year of minute bars (~10 MB) still travels alone, so large downloads
 * overlap loads and report their progress chunk by chunk. ingestSeries batches with these limits: changing them
 * changes its commands, so it needs a new patch id (runs in flight replay with the limits they began with).
 */
export const DEFAULT_CHUNK_BATCH: ChunkBatchLimits = { maxChunks: 12, maxBytes: 1 << 20 };

/** The limits of ingestSeries runs that began before patch `batches-of-12` (patch `batched-chunks`). */
export const FIRST_CHUNK_BATCH: ChunkBatchLimits = { maxChunks: 8, maxBytes: 1 << 20 };

/**
 * Groups chunks, in order, into consecutive batches within `limits`. Pure and deterministic: workflows call it.
 */
export function batchChunks<T extends { billableBytes: number }>(chunks: readonly T[], limits: ChunkBatchLimits = DEFAULT_CHUNK_BATCH): T[][] {
  const batches: T[][] = [];
  let bytes = 0;
  for (const chunk of chunks) {
    const last = batches.at(-1);
    if (last && last.length < limits.maxChunks && bytes + chunk.billableBytes <= limits.maxBytes) {
      last.push(chunk);
      bytes += chunk.billableBytes;
    } else {
      batches.push([chunk]);
      bytes = chunk.billableBytes;
    }
  }
  return batches;
}
