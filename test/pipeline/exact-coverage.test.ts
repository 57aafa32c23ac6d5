import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackfill } from '../../client/pipeline-client';
import { unionOf } from '../../domain/coverage';
import { isoSeconds } from '../../domain/time';
import { createWarehouseFromEnv } from '../../warehouse/warehouse';
import { nqHourlyBackfill } from '../support/nq-backfill';
import { type PipelineHarness, startPipelineHarness } from '../support/pipeline-harness';
import { type NqRecording, nqRecording, rowRange } from '../warehouse/nq-chunks';

const SERIES = 'GLBX.MDP3/ohlcv-1h/NQ.FUT';

/**
 * Overlapping and nested requests over the real NQ.FUT ohlcv-1h recording: each run loads every recorded bar of what
 * it asks, and requests only the sub-ranges nothing loaded before covers (issue 20, defect 1).
 */
describe('exact coverage: a request is planned as the gaps in what is loaded', () => {
  let h: PipelineHarness;
  let rec: NqRecording;
  beforeAll(async () => {
    h = await startPipelineHarness();
    await h.startWorkers();
    rec = await nqRecording();
  });
  afterAll(async () => h?.stop());

  const recorded = (start: string, end: string) => {
    const [a, b] = rowRange(rec, start, end);
    return b - a;
  };
  const backfill = async (start: string, end: string) => {
    h.gateway.stats.reset();
    const { handle } = await startBackfill(h.client, nqHourlyBackfill(start, end));
    const result = await handle.result();
    return { result, requests: h.gateway.stats.getRange.requests };
  };
  /** bars in the warehouse in [start, end), duplicate keys across the table, and the ledger's loaded spans */
  const warehouse = async (start: string, end: string) => {
    const w = await createWarehouseFromEnv(h.env);
    try {
      const [{ n }] = await w.query<{ n: string }>(
        'select count(*) as n from market_data.databento_futures_ohlcv_1h where ts_event >= @start and ts_event < @end',
        { start, end },
      );
      const [{ dup }] = await w.query<{ dup: string }>(
        'select count(*) - count(distinct (instrument_id, ts_event)) as dup from market_data.databento_futures_ohlcv_1h',
      );
      const loaded = (await w.ledger({ series: SERIES })).filter((r) => r.status === 'loaded');
      const spans = unionOf(loaded).map((s) => [isoSeconds(s.start), isoSeconds(s.end)]);
      return { rows: Number(n), duplicates: Number(dup), spans };
    } finally {
      await w.close();
    }
  };

  it('narrow then wide: the wide run requests the two missing sub-ranges only and loads all of 2025H1', async () => {
    const narrow = await backfill('2025-03-02', '2025-03-05');
    expect(narrow.requests).toBe(1);
    expect(narrow.result.series[0].rowsLoaded).toBe(recorded('2025-03-02', '2025-03-05'));

    const wide = await backfill('2025-01-01', '2025-07-01');
    expect(wide.requests).toBe(2);
    expect(wide.result.series[0].chunks.map((c) => c.id)).toEqual(['2025H1.20250101-20250302', '2025H1.20250305-20250701']);
    const all = recorded('2025-01-01', '2025-07-01');
    expect(all).toBe(9176);
    expect(wide.result.series[0].rowsLoaded).toBe(all - recorded('2025-03-02', '2025-03-05'));
    const w = await warehouse('2025-01-01', '2025-07-01');
    expect(w.rows).toBe(all);
    expect(w.duplicates).toBe(0);
    expect(w.spans).toEqual([['2025-01-01T00:00:00Z', '2025-07-01T00:00:00Z']]);
  });

  it('wide then narrow: the narrow run requests nothing and changes nothing', async () => {
    const wide = await backfill('2024-01-01', '2024-07-01');
    expect(wide.requests).toBe(1);
    const narrow = await backfill('2024-03-02', '2024-03-05');
    expect(narrow.requests).toBe(0);
    expect(narrow.result.quotedCostUsd).toBe(0);
    expect(narrow.result.series[0].chunks.map((c) => [c.id, c.state])).toEqual([['2024H1.20240302-20240305', 'skipped']]);
    const w = await warehouse('2024-01-01', '2024-07-01');
    expect(w.rows).toBe(recorded('2024-01-01', '2024-07-01'));
    expect(w.duplicates).toBe(0);
  });

  it('a backfill to 2025-12-31 then one to 2026-01-01 requests the last day only, and loads it', async () => {
    const first = await backfill('2025-07-01', '2025-12-31');
    expect(first.requests).toBe(1);
    const second = await backfill('2025-07-01', '2026-01-01');
    expect(second.requests).toBe(1);
    const lastDay = recorded('2025-12-31', '2026-01-01');
    expect(lastDay).toBeGreaterThan(0);
    expect(second.result.series[0].rowsLoaded).toBe(lastDay);
    const w = await warehouse('2025-07-01', '2026-01-01');
    expect(w.rows).toBe(recorded('2025-07-01', '2026-01-01'));
    expect(w.duplicates).toBe(0);
  });
});
