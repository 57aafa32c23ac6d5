import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZlDaily } from '../../recordings';
import { createWarehouseFromEnv } from '../../warehouse/warehouse';
import { backfillStatus, startBackfill } from '../../client/pipeline-client';
import { parseTimeNs } from '../../domain/time';
import { resolveQuarantineUpdate } from '../../workflows/messages';
import { plantCorruptedChunk } from '../support/corrupt-chunk';
import { marketDataDir } from '../support/market-data-dir';
import { type PipelineHarness, startPipelineHarness } from '../support/pipeline-harness';
import { zlBackfill } from '../support/zl-backfill';

async function recordedRows(start: string, end: string): Promise<number> {
  const zl = await readZlDaily(marketDataDir());
  const s = BigInt(parseTimeNs(start));
  const e = BigInt(parseTimeNs(end));
  let n = 0;
  for (let i = 0; i < zl.columns.length; i++) if (zl.columns.ts_event[i] >= s && zl.columns.ts_event[i] < e) n++;
  return n;
}

describe('validation quarantines a corrupted chunk; the others load; an operator re-downloads or accepts it', () => {
  let h: PipelineHarness;
  beforeAll(async () => {
    h = await startPipelineHarness();
    await h.startWorkers();
  });
  afterAll(async () => h?.stop());

  it('quarantines, waits for review, then redownload loads the real bars and accept loads the file as is', async () => {
    await plantCorruptedChunk(h, '2019H2', '2019-07-01T00:00:00Z', '2020-01-01T00:00:00Z');
    await plantCorruptedChunk(h, '2020H1', '2020-01-01T00:00:00Z', '2020-07-01T00:00:00Z');
    const { handle } = await startBackfill(h.client, zlBackfill('2019-01-01', '2021-01-01', { quarantineReviewTimeout: '5 minutes' }));
    const childId = `${handle.workflowId}/ohlcv-1d/ZL.c.0`;
    let states: Record<string, string> = {};
    for (let i = 0; i < 600; i++) {
      const s = await backfillStatus(h.client, handle.workflowId).catch(() => null);
      states = Object.fromEntries((s?.series[0]?.chunks ?? []).map((c) => [c.id, c.state]));
      if (Object.values(states).length === 4 && !Object.values(states).some((x) => x === 'pending' || x === 'downloading' || x === 'downloaded' || x === 'validated')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(states).toEqual({ '2019H1': 'loaded', '2019H2': 'quarantined', '2020H1': 'quarantined', '2020H2': 'loaded' });

    const w = await createWarehouseFromEnv(h.env);
    const count = async () => Number((await w.query<{ n: string }>("select count(*) as n from market_data.databento_futures_ohlcv_1d where symbol = 'ZL.c.0'"))[0].n);
    try {
      // the quarantined chunks loaded nothing, the others loaded exactly their recorded bars
      expect(await count()).toBe((await recordedRows('2019-01-01', '2019-07-01')) + (await recordedRows('2020-07-01', '2021-01-01')));
      const ledger = Object.fromEntries((await w.ledger({ series: 'GLBX.MDP3/ohlcv-1d/ZL.c.0' })).map((r) => [r.chunk_id, r]));
      expect(ledger['2020H1'].status).toBe('quarantined');
      expect(ledger['2020H1'].validation).toMatch(/high/);
    } finally {
      await w.close();
    }
    const report = JSON.parse(readFileSync(path.join(h.env.DATA_DIR, '_quarantine', 'GLBX.MDP3', 'ohlcv-1d', 'ZL.c.0', '2020H1.validation.json'), 'utf8'));
    type Rule = { id: string; severity: string; count: number; examples: { index: number }[] };
    const failing = (report.rules as Rule[]).filter((r) => r.severity === 'error' && r.count > 0);
    // high below low also puts open and close outside [low, high]: every failing rule points at that one bar
    expect(failing.map((r) => r.id)).toContain('high-below-low');
    expect(failing.every((r) => r.count === 1 && r.examples[0].index === 10)).toBe(true);

    const child = h.client.client.workflow.getHandle(childId);
    await expect(child.executeUpdate(resolveQuarantineUpdate, { args: [{ chunkId: '2019H1', action: 'accept' }] })).rejects.toThrow();
    await child.executeUpdate(resolveQuarantineUpdate, { args: [{ chunkId: '2020H1', action: 'redownload' }] });
    await child.executeUpdate(resolveQuarantineUpdate, { args: [{ chunkId: '2019H2', action: 'accept', reason: 'checked by hand' }] });
    const result = await handle.result();
    expect(result.series[0].chunks.map((c) => c.state)).toEqual(['loaded', 'loaded', 'loaded', 'loaded']);

    const w2 = await createWarehouseFromEnv(h.env);
    try {
      expect(Number((await w2.query<{ n: string }>("select count(*) as n from market_data.databento_futures_ohlcv_1d where symbol = 'ZL.c.0'"))[0].n)).toBe(
        await recordedRows('2019-01-01', '2021-01-01'),
      );
      // the re-downloaded chunk has no bad bar; the accepted one keeps the operator's decision in the ledger
      const bad = await w2.query<{ n: string }>(
        "select count(*) as n from market_data.databento_futures_ohlcv_1d where high < low and ts_event >= '2020-01-01' and ts_event < '2020-07-01'",
      );
      expect(Number(bad[0].n)).toBe(0);
      const ledger = Object.fromEntries((await w2.ledger({ series: 'GLBX.MDP3/ohlcv-1d/ZL.c.0' })).map((r) => [r.chunk_id, r]));
      expect(ledger['2020H1'].status).toBe('loaded');
      expect(ledger['2019H2'].status).toBe('accepted');
      expect(ledger['2019H2'].validation).toMatch(/checked by hand/);
    } finally {
      await w2.close();
    }
  });
});
