import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sliceOhlcvColumns } from '../../dbn/ohlcv-columns';
import { createWarehouse, type Warehouse } from '../../warehouse';
import { chunkInput, nqRecording, type NqRecording } from './nq-chunks';

describe('a chunk that is partly in the warehouse already (DuckDB)', () => {
  let dir: string;
  let w: Warehouse;
  let rec: NqRecording;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'partly-loaded-'));
    w = await createWarehouse({ kind: 'duckdb', path: path.join(dir, 'w.duckdb') });
    await w.ensureSchema();
    rec = await nqRecording();
  });
  afterAll(async () => {
    await w?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gains only its missing rows: no duplicate (instrument_id, ts_event), exact count', async () => {
    const full = chunkInput(rec, '2012H1', '2012-01-01T00:00:00Z', '2012-07-01T00:00:00Z');
    const n = full.columns.length;
    expect(n).toBeGreaterThan(1000);
    // an earlier, interrupted load left the first 40% of the chunk's rows in the table
    const firstPart = Math.floor(n * 0.4);
    const partial = await w.loadBars({ ...full, columns: sliceOhlcvColumns(full.columns, 0, firstPart) });
    expect(partial.inserted).toBe(firstPart);

    const again = await w.loadBars(full);
    expect([again.inserted, again.updated]).toEqual([n - firstPart, 0]);
    const [r] = await w.query<{ n: string; keys: string }>(
      "select count(*) as n, count(distinct (instrument_id, ts_event)) as keys from market_data.databento_futures_ohlcv_1h where ts_event >= '2012-01-01' and ts_event < '2012-07-01'",
    );
    expect([Number(r.n), Number(r.keys)]).toEqual([n, n]);
  });
});
