import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackfill } from '../../client/pipeline-client';
import { HistoricalClient } from '../../databento/historical-client';
import { createWarehouseFromEnv } from '../../warehouse/warehouse';
import { GATEWAY_TEST_KEY } from '../../gateway/start-gateway';
import { nqHourlyBackfill } from '../support/nq-backfill';
import { type PipelineHarness, startPipelineHarness } from '../support/pipeline-harness';

const NQ_2024H1 = nqHourlyBackfill('2024-01-01', '2024-07-01');

function partFile(dataDir: string): string | null {
  const dir = path.join(dataDir, 'GLBX.MDP3', 'ohlcv-1h', 'NQ.FUT');
  try {
    const f = readdirSync(dir).find((n) => n.endsWith('.records.part'));
    return f ? path.join(dir, f) : null;
  } catch {
    return null;
  }
}

describe('a worker killed with SIGKILL mid-download resumes from the last complete record', () => {
  let h: PipelineHarness;
  beforeAll(async () => {
    h = await startPipelineHarness();
  });
  afterAll(async () => h?.stop());

  it('requests less than one chunk after the restart and ends with exact rows', async () => {
    const client = new HistoricalClient({ apiKey: GATEWAY_TEST_KEY, baseUrl: h.gateway.url });
    const q = { dataset: NQ_2024H1.dataset, symbols: NQ_2024H1.symbols, schema: 'ohlcv-1h' as const, stypeIn: 'parent' as const, start: NQ_2024H1.start, end: NQ_2024H1.end };
    const expectedRecords = await client.metadata.getRecordCount(q);
    await client.close();
    expect(expectedRecords).toBeGreaterThan(1000);

    const first = await h.spawnWorker();
    h.gateway.faults.slowBody = { bytesPerSecond: 16_000 };
    h.gateway.faults.onlyPaths = ['/v0/timeseries.get_range'];
    h.gateway.stats.reset();
    const { handle } = await startBackfill(h.client, NQ_2024H1);

    // wait until some complete records are on disk, then kill the worker without any chance to clean up
    let part: string | null = null;
    for (let i = 0; i < 600; i++) {
      part = partFile(h.env.DATA_DIR);
      if (part && statSync(part).size > 56 * 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(part, 'download never started writing records').not.toBeNull();
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const bytesBeforeKill = h.gateway.stats.getRange.bytes;
    const recordsOnDisk = Math.floor(statSync(part!).size / 56);
    expect(recordsOnDisk).toBeLessThan(expectedRecords);

    h.gateway.faults.slowBody = undefined;
    h.gateway.stats.reset();
    await h.spawnWorker();
    const result = await handle.result();

    const after = { ...h.gateway.stats.getRange };
    expect(after.requests).toBe(1);
    expect(after.records).toBeLessThan(expectedRecords);
    // what was re-requested plus what had arrived covers the chunk, with at most one timestamp's bars fetched twice
    expect(after.records + recordsOnDisk).toBeGreaterThanOrEqual(expectedRecords);
    expect(after.records + recordsOnDisk - expectedRecords).toBeLessThan(50);

    // a whole chunk for comparison: what the restart requested is less than one chunk
    h.gateway.stats.reset();
    const probe = new HistoricalClient({ apiKey: GATEWAY_TEST_KEY, baseUrl: h.gateway.url });
    const full = await probe.timeseries.getRangeToFile({ ...q, encoding: 'dbn', compression: 'zstd' }, path.join(h.dir, 'full.dbn.zst'));
    await probe.close();
    expect(after.bytes).toBeLessThan(full.bytes);
    expect(bytesBeforeKill).toBeGreaterThan(0);

    expect(result.series[0].rowsLoaded).toBe(expectedRecords);
    const w = await createWarehouseFromEnv(h.env);
    try {
      const [r] = await w.query<{ n: string; d: string }>(
        "select count(*) as n, count(distinct (instrument_id, ts_event)) as d from market_data.databento_futures_ohlcv_1h where ts_event >= '2024-01-01' and ts_event < '2024-07-01'",
      );
      expect(Number(r.n)).toBe(expectedRecords);
      expect(Number(r.d)).toBe(expectedRecords);
    } finally {
      await w.close();
    }
  });
});
