import type { Logger } from 'pino';
import type { Env } from '../config/env';
import type { ChunkStore } from '../chunk-store/chunk-store';
import type { RangeRequest, RangeStreamSource } from '../chunk-store/download-chunk';
import type { Warehouse } from '../warehouse/warehouse';

/** The Databento calls the pipeline makes; HistoricalClient provides them. */
export interface DatabentoPort extends RangeStreamSource {
  getDatasetRange(dataset: string): Promise<{ start: string; end: string; schema?: Record<string, { start: string; end: string }> }>;
  getCost(q: RangeRequest): Promise<number>;
  getRecordCount(q: RangeRequest): Promise<number>;
  getBillableSize(q: RangeRequest): Promise<number>;
}

export interface PipelineDeps {
  env: Env;
  logger: Logger;
  databento: DatabentoPort;
  store: ChunkStore;
  /**
   * Opens the warehouse for one activity and closes it after: an embedded DuckDB file is locked while open,
   * and the CLI or another worker may need it between activities.
   */
  openWarehouse: () => Promise<Warehouse>;
  /** this worker's own task queue: the later steps of a chunk it downloaded run here, next to the file */
  hostTaskQueue: string;
  /** how long a download runs before it heartbeats its progress (default FIRST_DOWNLOAD_HEARTBEAT_AFTER_MS) */
  firstDownloadHeartbeatAfterMs?: number;
}

const schemaReady = new WeakSet<PipelineDeps>();

/**
 * Runs `fn` with an open warehouse whose schema is ensured. The (idempotent, ~100 ms) schema check runs once per
 * worker process, and again after any failure, in case the failure was a missing table.
 */
export async function withWarehouse<T>(deps: PipelineDeps, fn: (w: Warehouse) => Promise<T>): Promise<T> {
  const warehouse = await deps.openWarehouse();
  try {
    if (!schemaReady.has(deps)) {
      await warehouse.ensureSchema();
      schemaReady.add(deps);
    }
    return await fn(warehouse);
  } catch (err) {
    schemaReady.delete(deps);
    throw err;
  } finally {
    await warehouse.close();
  }
}
