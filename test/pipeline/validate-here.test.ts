import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChunkStore } from '../../activities/chunk-store/chunk-store';
import { HistoricalClient } from '../../activities/databento/historical-client';
import { createActivities } from '../../activities/pipeline/create-activities';
import { databentoPort } from '../../activities/pipeline/databento-port';
import { createWarehouseFromEnv } from '../../activities/warehouse/warehouse';
import { parseEnv } from '../../config/env';
import type { SeriesKey } from '../../domain/series';
import { GATEWAY_TEST_KEY, type Gateway, startGateway } from '../../gateway/start-gateway';
import { createLogger } from '../../logging/logger';
import { marketDataDir } from '../support/market-data-dir';

const series: SeriesKey = { dataset: 'GLBX.MDP3', schema: 'ohlcv-1d', symbol: 'ZL.c.0', stypeIn: 'continuous' };

/** One worker's activities over its own chunk store (and a shared DuckDB file). */
function host(dir: string, name: string, gateway: Gateway) {
  const env = parseEnv({
    DATABENTO_API_KEY: GATEWAY_TEST_KEY,
    DATABENTO_BASE_URL: gateway.url,
    DUCKDB_PATH: path.join(dir, 'w.duckdb'),
    DATA_DIR: path.join(dir, name),
  });
  const client = HistoricalClient.fromEnv(env);
  const logger = createLogger({ level: 'silent', pretty: false });
  const acts = createActivities({ env, logger, databento: databentoPort(client), store: new ChunkStore(env.DATA_DIR), openWarehouse: () => createWarehouseFromEnv(env), hostTaskQueue: `q@${name}` });
  const ctx = new MockActivityEnvironment();
  const run = <A, R>(fn: (a: A) => Promise<R>, a: A) => ctx.run(fn as never, a as never) as Promise<R>;
  return { acts, run, close: () => client.close() };
}

describe('validating a chunk on the worker running the workflow (local activity)', () => {
  let dir: string;
  let gateway: Gateway;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'validate-here-'));
    gateway = await startGateway({ dataDir: marketDataDir(), port: 0 });
  });
  afterAll(async () => {
    await gateway?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('validates a file it holds exactly as validateChunk does, and declines one it does not hold', async () => {
    const a = host(dir, 'host-a', gateway);
    const b = host(dir, 'host-b', gateway);
    try {
      const { chunks } = await a.run(a.acts.quoteSeries, { series, start: '2015-01-01', end: '2016-01-01' });
      const ref = await a.run(a.acts.downloadChunk, { series, chunk: chunks[0], approvedCostUsd: chunks[0].costUsd });
      expect(ref.records).toBeGreaterThan(100);

      const remote = await a.run(a.acts.validateChunk, { series, chunk: ref });
      const here = await a.run(a.acts.validateChunkHere, { series, chunk: ref });
      expect(remote.ok).toBe(true);
      expect(here).toEqual(remote);

      // host B never downloaded it: the workflow must validate on host A's queue instead
      expect(await b.run(b.acts.validateChunkHere, { series, chunk: ref })).toBeNull();
      // a file of another download (other sha256) is not the chunk the workflow holds a reference to
      expect(await a.run(a.acts.validateChunkHere, { series, chunk: { ...ref, sha256: '0'.repeat(64) } })).toBeNull();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
