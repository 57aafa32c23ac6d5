import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackfill } from '../../client/pipeline-client';
import { createWarehouseFromEnv } from '../../warehouse/warehouse';
import { type PipelineHarness, startPipelineHarness } from '../support/pipeline-harness';
import { zlBackfill } from '../support/zl-backfill';

const chunkFiles = (dataDir: string) => {
  const dir = path.join(dataDir, 'GLBX.MDP3', 'ohlcv-1d', 'ZL.c.0');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.dbn.zst')).sort() : [];
};

describe('two workers that share no DATA_DIR', () => {
  let h: PipelineHarness;
  beforeAll(async () => {
    h = await startPipelineHarness();
  });
  afterAll(async () => h?.stop());

  it('validate and load each chunk on the worker holding its file; a vanished holder means a fresh download elsewhere', async () => {
    const dirA = path.join(h.dir, 'host-a');
    const dirB = path.join(h.dir, 'host-b');
    const a = await h.startWorkers({ DATA_DIR: dirA, hostId: 'host-a' });
    h.gateway.faults.slowBody = { bytesPerSecond: 15_000 };
    h.gateway.faults.onlyPaths = ['/v0/timeseries.get_range'];
    const { handle } = await startBackfill(h.client, zlBackfill('2018-01-01', '2022-01-01', { hostAffinityTimeout: '5 seconds' }));
    for (let i = 0; i < 600 && chunkFiles(dirA).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    // host B joins, host A leaves: later chunks (and any stranded on A) are handled by B from B's own disk
    await h.startWorkers({ DATA_DIR: dirB, hostId: 'host-b' });
    a.shutdown();
    h.gateway.faults.slowBody = undefined;
    const result = await handle.result();

    expect(result.series[0].chunks.map((c) => c.state)).toEqual(Array(8).fill('loaded'));
    expect(chunkFiles(dirA).length).toBeGreaterThanOrEqual(2);
    expect(chunkFiles(dirB).length).toBeGreaterThanOrEqual(1);
    const w = await createWarehouseFromEnv(h.env);
    try {
      const [r] = await w.query<{ n: string; d: string }>(
        "select count(*) as n, count(distinct ts_event) as d from market_data.databento_futures_ohlcv_1d where symbol = 'ZL.c.0'",
      );
      expect(Number(r.n)).toBe(result.series[0].rowsLoaded);
      expect(Number(r.d)).toBe(Number(r.n));
      expect(Number(r.n)).toBeGreaterThan(900);
    } finally {
      await w.close();
    }
  });
});
