import { z } from 'zod';

/** How many consecutive chunks one fetch and one load activity may carry together. */
export const chunkBatchLimitsSchema = z.object({
  maxChunks: z.number().int().min(1).max(100),
  /** billable bytes (Databento's quote) of a batch; a chunk larger than this travels alone */
  maxBytes: z.number().int().min(1),
});
export type ChunkBatchLimits = z.infer<typeof chunkBatchLimitsSchema>;

/**
 * Small chunks travel in batches of up to 12 and 1 MiB: a half-year of daily bars is ~7 KB and loads in ~50 ms, about
 * what the workflow tasks and activity round trips that carried it alone cost in CPU (docs/performance.md). A
 * half-year of minute bars (~10 MB) still travels alone, so large downloads overlap loads and report their progress
 * chunk by chunk. The workflows take the limits from their input, with these as defaults: tuning them changes no code.
 */
export const DEFAULT_CHUNK_BATCH: ChunkBatchLimits = { maxChunks: 12, maxBytes: 1 << 20 };

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
