import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackfill } from '../../client/pipeline-client';
import { createWarehouseFromEnv } from '../../warehouse/warehouse';
import { type PipelineHarness, startPipelineHarness } from '../support/pipeline-harness';
import { ZL_FULL } from '../support/zl-backfill';

describe('a backfill cancelled half way and started again downloads only the missing chunks', () => {
  let h: PipelineHarness;
  beforeAll(async () => {
    h = await startPipelineHarness();
    await h.startWorkers();
  });
  afterAll(async () => h?.stop());

  it('re-downloads nothing that was already stored or loaded, and ends with the exact rows', async () => {
    h.gateway.faults.slowBody = { bytesPerSecond: 20_000 };
    h.gateway.faults.onlyPaths = ['/v0/timeseries.get_range'];
    // batches of 4 (the input's limit): many batches left when the cancel lands, whatever the machine's speed
    const { handle } = await startBackfill(h.client, { ...ZL_FULL, batch: { maxChunks: 4, maxBytes: 1 << 20 } });
    const ledgerLoaded = async () => {
      const w = await createWarehouseFromEnv(h.env);
      try {
        return (await w.ledger({ series: 'GLBX.MDP3/ohlcv-1d/ZL.c.0' })).filter((r) => r.status === 'loaded').length;
      } catch {
        return 0;
      } finally {
        await w.close();
      }
    };
    for (let i = 0; i < 600 && (await ledgerLoaded()) < 10; i++) await new Promise((r) => setTimeout(r, 200));
    await handle.cancel();
    const err = await handle.result().catch((e) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const loadedBefore = await ledgerLoaded();
    expect(loadedBefore).toBeGreaterThanOrEqual(10);
    expect(loadedBefore).toBeLessThan(34);
    // a download cut by the cancel is requested again; up to two batches can be in flight when it lands
    const servedBefore = h.gateway.stats.getRange.requests - h.gateway.stats.getRange.aborted;

    h.gateway.faults.slowBody = undefined;
    h.gateway.stats.reset();
    const second = await startBackfill(h.client, ZL_FULL);
    const result = await second.handle.result();
    const skipped = result.series[0].chunks.filter((c) => c.state === 'skipped').length;
    expect(skipped).toBe(loadedBefore);
    // only chunks never loaded are requested, and none whose body was served in full: it is reused from the store
    expect(h.gateway.stats.getRange.requests).toBeLessThanOrEqual(34 - loadedBefore);
    expect(servedBefore + h.gateway.stats.getRange.requests).toBeLessThanOrEqual(34);

    const w = await createWarehouseFromEnv(h.env);
    try {
      const [r] = await w.query<{ n: string }>("select count(*) as n from market_data.databento_futures_ohlcv_1d where symbol = 'ZL.c.0'");
      expect(Number(r.n)).toBe(4062);
      expect((await w.ledger({ series: 'GLBX.MDP3/ohlcv-1d/ZL.c.0' })).filter((x) => x.status === 'loaded')).toHaveLength(34);
    } finally {
      await w.close();
    }
  });
});
