import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WarehouseBadRowsError, type Warehouse } from '../../warehouse';
import type { BigQueryWarehouse } from '../../warehouse/bigquery/bigquery-warehouse';
import { WarehouseInjectedFailure } from '../../warehouse/errors';
import { startBigQueryEmulator, type RunningBigQueryEmulator } from '../support/bigquery-emulator';
import { openEmulatorWarehouse } from './emulator-warehouse';
import { chunkInput, expectedYearSums, nqRecording, YEAR_SUMS_SQL, type NqRecording } from './nq-chunks';

const TABLE = 'market_data.databento_futures_ohlcv_1h';
let emu: RunningBigQueryEmulator;
let wh: Warehouse;
let rec: NqRecording;

beforeAll(async () => {
  emu = await startBigQueryEmulator({ projectId: 'wh-test' });
  wh = await openEmulatorWarehouse(emu);
  rec = await nqRecording();
});
afterAll(async () => {
  await wh?.close();
  await emu?.stop();
});

async function count(): Promise<string> {
  const [r] = await wh.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${TABLE}`);
  return r.n;
}

describe('BigQuery emulator warehouse: real bars', () => {
  beforeAll(async () => {
    await wh.ensureSchema();
  });

  it('loads real chunks exactly, reloads and overlapping chunks add nothing, 2010 sums match the recording', async () => {
    const h1 = chunkInput(rec, '2010H1', '2010-06-06T00:00:00Z', '2010-07-01T00:00:00Z');
    const h2 = chunkInput(rec, '2010H2', '2010-07-01T00:00:00Z', '2011-01-01T00:00:00Z');
    expect(await wh.loadBars(h1)).toMatchObject({ rows: 954, inserted: 954, updated: 0, unchanged: 0 });
    expect(await wh.loadBars(h2)).toMatchObject({ rows: 5923, inserted: 5923, updated: 0 });
    expect(await wh.loadBars(h1)).toMatchObject({ inserted: 0, updated: 0, unchanged: 954 });
    const fy = chunkInput(rec, '2010FY', '2010-01-01T00:00:00Z', '2011-01-01T00:00:00Z');
    expect(await wh.loadBars(fy)).toMatchObject({ rows: 6877, inserted: 0, updated: 0, unchanged: 6877 });
    expect(await count()).toBe('6877');
    const expected = expectedYearSums(fy.columns).get('2010')!;
    const [row] = await wh.query<Record<string, string>>(YEAR_SUMS_SQL);
    expect({ n: Number(row.n), open: row.open, high: row.high, low: row.low, close: row.close, volume: row.volume }).toEqual(expected);
  });

  it('a load interrupted after the load job (and after the MERGE), then retried, ends with exact rows', async () => {
    const input = chunkInput(rec, '2011H1', '2011-01-01T00:00:00Z', '2011-07-01T00:00:00Z');
    const hooked = wh as BigQueryWarehouse;
    await expect(hooked.loadBars(input, { failAfter: 'stage' })).rejects.toBeInstanceOf(WarehouseInjectedFailure);
    expect(await count()).toBe('6877');
    // the retry reuses the same deterministic load job and its staging table
    expect(await wh.loadBars(input)).toMatchObject({ inserted: 5724, updated: 0 });
    await expect(hooked.loadBars(input, { failAfter: 'merge' })).rejects.toBeInstanceOf(WarehouseInjectedFailure);
    expect(await wh.loadBars(input)).toMatchObject({ inserted: 0, updated: 0, unchanged: 5724 });
    expect(await count()).toBe(String(6877 + 5724));
  });

  it('a restated bar replaces the old one (one MERGE), without duplicates', async () => {
    const input = chunkInput(rec, '2010H1', '2010-06-06T00:00:00Z', '2010-07-01T00:00:00Z');
    // test-only corruption of a copy: bar 5 restated with another volume
    const volume = new BigUint64Array(input.columns.volume);
    volume[5] += 1n;
    expect(await wh.loadBars({ ...input, columns: { ...input.columns, volume } })).toMatchObject({ inserted: 0, updated: 1, unchanged: 953 });
    expect(await count()).toBe(String(6877 + 5724));
    expect(await wh.loadBars(input)).toMatchObject({ updated: 1 });
  });

  it('rejects a chunk with an UNDEF price before any job runs', async () => {
    const input = chunkInput(rec, '2011H2', '2011-07-01T00:00:00Z', '2012-01-01T00:00:00Z');
    // test-only corruption: one real bar's open made UNDEF_PRICE
    const open = new BigInt64Array(input.columns.open);
    open[77] = 2n ** 63n - 1n;
    const err = (await wh.loadBars({ ...input, columns: { ...input.columns, open } }).catch((e: unknown) => e)) as WarehouseBadRowsError;
    expect(err).toBeInstanceOf(WarehouseBadRowsError);
    expect(err).toMatchObject({ rowIndex: 77, field: 'open', instrumentId: input.columns.instrument_id[77] });
    expect(await count()).toBe(String(6877 + 5724));
  });
});
