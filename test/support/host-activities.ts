import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ChunkStore } from '../../chunk-store/chunk-store';
import { HistoricalClient } from '../../databento/historical-client';
import { createActivities } from '../../activities/create-activities';
import { databentoPort } from '../../activities/databento-port';
import { createWarehouseFromEnv, type Warehouse } from '../../warehouse/warehouse';
import { type Env, parseEnv } from '../../config/env';
import { GATEWAY_TEST_KEY, type Gateway } from '../../gateway/start-gateway';
import { createLogger } from '../../logging/logger';

/**
 * One worker's activities, called directly (each inside a mock activity context) over its own chunk store
 * `dir/name`, the gateway, and the DuckDB file `dir/w.duckdb` (shared by every host of `dir`). `ctx` is the mock
 * activity context, e.g. to listen for heartbeats.
 */
export function hostActivities(dir: string, name: string, gateway: Gateway, options: { openWarehouse?: (env: Env) => Promise<Warehouse>; firstDownloadHeartbeatAfterMs?: number } = {}) {
  const env = parseEnv({
    DATABENTO_API_KEY: GATEWAY_TEST_KEY,
    DATABENTO_BASE_URL: gateway.url,
    DUCKDB_PATH: path.join(dir, 'w.duckdb'),
    DATA_DIR: path.join(dir, name),
  });
  const client = HistoricalClient.fromEnv(env);
  const open = options.openWarehouse ?? createWarehouseFromEnv;
  const acts = createActivities({
    env,
    logger: createLogger({ level: 'silent', pretty: false }),
    databento: databentoPort(client),
    store: new ChunkStore(env.DATA_DIR),
    openWarehouse: () => open(env),
    hostTaskQueue: `q@${name}`,
    firstDownloadHeartbeatAfterMs: options.firstDownloadHeartbeatAfterMs,
  });
  const ctx = new MockActivityEnvironment();
  const run = <A, R>(fn: (a: A) => Promise<R>, a: A) => ctx.run(fn as never, a as never) as Promise<R>;
  return { env, acts, run, ctx, close: () => client.close() };
}
