import { createHash } from 'node:crypto';

/**
 * `_stg_<table>_<chunk>_<hash8>`: one staging table per (table, chunk), so a retried load reuses its own staging
 * and concurrent loads of different chunks never share one. The hash keeps sanitised ids from colliding.
 */
export function stagingName(table: string, chunkId: string): string {
  const safe = chunkId.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 60);
  const hash = createHash('sha256').update(chunkId).digest('hex').slice(0, 8);
  return `_stg_${table}_${safe}_${hash}`;
}
