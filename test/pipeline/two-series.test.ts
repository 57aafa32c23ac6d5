import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readClContinuous, readZlDaily } from '../../recordings';
import { createWarehouseFromEnv } from '../../warehouse/warehouse';
import { startBackfill } from '../../client/pipeline-client';
import { parseTimeNs } from '../../domain/time';
import { marketDataDir } from '../support/market-data-dir';
import { type PipelineHarness, startPipelineHarness } from '../support/pipeline-harness';
import { zlBackfill } from '../support/zl-backfill';

async function recorded(symbol: string, start: string, end: string): Promise<number> {
  const rec = symbol === 'ZL.c.0' ? await readZlDaily(marketDataDir()) : await readClContinuous(marketDataDir());
  const [s, e] = [parseTimeNs(start), parseTimeNs(end)];
  let n = 0;
  for (let i = 0; i < rec.columns.length; i++) {
    if (rec.symbol[i] === symbol && rec.columns.ts_event[i] >= s && rec.columns.ts_event[i] < e) n++;
  }
  return n;
}

describe('two series ingested at once by one worker into one DuckDB file', () => {
  let h: PipelineHarness;
  beforeAll(async () => {
    h = await startPipelineHarness();
    await h.startWorkers();
  });
  afterAll(async () => h?.stop());

  it('keeps every row of both (concurrent loads share one DuckDB instance per file)', async () => {
    const { handle } = await startBackfill(h.client, zlBackfill('2024-01-01', '2025-01-01', { symbols: ['ZL.c.0', 'CL.n.0'] }));
    const result = await handle.result();
    const expected = { 'CL.n.0': await recorded('CL.n.0', '2024-01-01', '2025-01-01'), 'ZL.c.0': await recorded('ZL.c.0', '2024-01-01', '2025-01-01') };
    expect(expected['CL.n.0']).toBe(313);
    expect(Object.fromEntries(result.series.map((s) => [s.series.split('/')[2], s.rowsLoaded]))).toEqual(expected);
    const w = await createWarehouseFromEnv(h.env);
    try {
      const rows = await w.query<{ symbol: string; n: string }>(
        'select symbol, count(*) as n from market_data.databento_futures_ohlcv_1d group by symbol order by symbol',
      );
      expect(Object.fromEntries(rows.map((r) => [r.symbol, Number(r.n)]))).toEqual(expected);
      const loaded = (await w.ledger()).filter((r) => r.status === 'loaded').map((r) => `${r.series}/${r.chunk_id}`).sort();
      expect(loaded).toEqual([
        'GLBX.MDP3/ohlcv-1d/CL.n.0/2024H1',
        'GLBX.MDP3/ohlcv-1d/CL.n.0/2024H2',
        'GLBX.MDP3/ohlcv-1d/ZL.c.0/2024H1',
        'GLBX.MDP3/ohlcv-1d/ZL.c.0/2024H2',
      ]);
    } finally {
      await w.close();
    }
  });
});
