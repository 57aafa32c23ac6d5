import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { sliceOhlcvColumns } from '../../dbn/ohlcv-columns';
import {
  createWarehouse,
  symbologyTable,
  WarehouseBadRowsError,
  WarehouseSchemaError,
  type LoadBarsInput,
  type Warehouse,
} from '../../warehouse';
import type { DuckDbWarehouse } from '../../warehouse/duckdb/duckdb-warehouse';
import { WarehouseInjectedFailure } from '../../warehouse/errors';
import { chunkInput, expectedYearSums, NQ_CHUNKS, nqRecording, YEAR_SUMS_SQL, type NqRecording } from './nq-chunks';

const TABLE = 'market_data.databento_futures_ohlcv_1h';
let dir: string;
let rec: NqRecording;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'wh-duckdb-'));
  rec = await nqRecording();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function count(wh: Warehouse): Promise<string> {
  const [r] = await wh.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${TABLE}`);
  return r.n;
}

describe('DuckDB warehouse: NQ.FUT ohlcv-1h acceptance (228,911 real bars)', () => {
  let wh: Warehouse;
  beforeAll(async () => {
    wh = await createWarehouse({ kind: 'duckdb', path: path.join(dir, 'acceptance.duckdb') });
    await wh.ensureSchema();
  });
  afterAll(() => wh.close());

  it('loads every half-year chunk to exactly 228,911 rows', async () => {
    expect(NQ_CHUNKS).toHaveLength(32);
    let inserted = 0;
    for (const c of NQ_CHUNKS) {
      const r = await wh.loadBars(chunkInput(rec, c.id, c.start, c.end));
      expect(r.updated).toBe(0);
      inserted += r.inserted;
    }
    expect(inserted).toBe(228_911);
    expect(await count(wh)).toBe('228911');
  });

  it('reloading every chunk changes nothing', async () => {
    for (const c of NQ_CHUNKS) {
      const r = await wh.loadBars(chunkInput(rec, c.id, c.start, c.end));
      expect(r).toMatchObject({ inserted: 0, updated: 0, unchanged: r.rows });
    }
    expect(await count(wh)).toBe('228911');
  });

  it('overlapping full-year chunks over loaded halves add nothing', async () => {
    for (const year of [2012, 2020, 2025]) {
      const r = await wh.loadBars(chunkInput(rec, `${year}FY`, `${year}-01-01T00:00:00Z`, `${year + 1}-01-01T00:00:00Z`));
      expect(r.rows).toBeGreaterThan(9000);
      expect(r).toMatchObject({ inserted: 0, updated: 0 });
    }
    expect(await count(wh)).toBe('228911');
  });

  it('per-year sums of open, high, low, close, volume equal the recording exactly', async () => {
    const expected = expectedYearSums(rec.columns);
    const rows = await wh.query<Record<string, string>>(YEAR_SUMS_SQL);
    expect(rows.map((r) => r.year)).toEqual([...expected.keys()]);
    for (const r of rows) {
      const e = expected.get(r.year)!;
      expect({ n: Number(r.n), open: r.open, high: r.high, low: r.low, close: r.close, volume: r.volume }).toEqual(e);
    }
  });

  it('first loads keep every key, symbol and lineage value (rows appended straight into the table)', async () => {
    const n = rec.columns.length;
    let tsMicros = 0n;
    let iids = 0n;
    const bySymbol = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      tsMicros += rec.columns.ts_event[i] / 1000n;
      iids += BigInt(rec.columns.instrument_id[i]);
      bySymbol.set(rec.symbol[i], (bySymbol.get(rec.symbol[i]) ?? 0) + 1);
    }
    const [agg] = await wh.query<Record<string, string>>(
      `SELECT SUM(epoch_us(ts_event)) AS ts, SUM(instrument_id) AS iids, MIN(rtype) AS rtype_min, MAX(rtype) AS rtype_max,
        COUNT(DISTINCT chunk_id) AS chunks, COUNT(DISTINCT dataset) AS datasets, MIN(dataset) AS dataset FROM ${TABLE}`,
    );
    expect(agg).toEqual({ ts: tsMicros.toString(), iids: iids.toString(), rtype_min: '34', rtype_max: '34', chunks: '32', datasets: '1', dataset: 'GLBX.MDP3' });
    const symbols = await wh.query<{ symbol: string; n: string }>(`SELECT symbol, COUNT(*) AS n FROM ${TABLE} GROUP BY symbol`);
    expect(new Map(symbols.map((r) => [r.symbol, Number(r.n)]))).toEqual(bySymbol);
  });

  it('keeps spread prices (negative) and 9-decimal exactness', async () => {
    const rows = await wh.query<{ open: string }>(`SELECT open FROM ${TABLE} WHERE symbol = @s AND open < 0 ORDER BY ts_event LIMIT 1`, { s: 'NQZ5-NQH6' });
    expect(rows[0].open.startsWith('-')).toBe(true);
  });
});

describe('DuckDB warehouse: crash safety, schema, bad rows', () => {
  it('a load interrupted after staging, then retried, ends with exact rows', async () => {
    const wh = await createWarehouse({ kind: 'duckdb', path: path.join(dir, 'crash.duckdb') });
    try {
      const input = chunkInput(rec, '2019H2', '2019-07-01T00:00:00Z', '2020-01-01T00:00:00Z');
      const hooked = wh as DuckDbWarehouse;
      await expect(hooked.loadBars(input, { failAfter: 'stage' })).rejects.toBeInstanceOf(WarehouseInjectedFailure);
      expect(await count(wh)).toBe('0');
      const r = await wh.loadBars(input);
      expect(r.inserted).toBe(input.columns.length);
      // crash after the MERGE committed but before cleanup: the retry finds everything in place
      await expect(hooked.loadBars(input, { failAfter: 'merge' })).rejects.toBeInstanceOf(WarehouseInjectedFailure);
      const again = await wh.loadBars(input);
      expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: input.columns.length });
      expect(await count(wh)).toBe(String(input.columns.length));
    } finally {
      await wh.close();
    }
  });

  it('a bar table with a column added by hand still loads exactly, through the counted MERGE', async () => {
    const file = path.join(dir, 'migrated.duckdb');
    const wh = await createWarehouse({ kind: 'duckdb', path: file });
    try {
      await wh.ensureSchema();
      await wh.query(`ALTER TABLE ${TABLE} ADD COLUMN note VARCHAR`);
      const input = chunkInput(rec, '2016H1', '2016-01-01T00:00:00Z', '2016-07-01T00:00:00Z');
      expect(await wh.loadBars(input)).toMatchObject({ inserted: input.columns.length, updated: 0 });
      expect(await wh.loadBars(input)).toMatchObject({ inserted: 0, updated: 0, unchanged: input.columns.length });
      expect(await count(wh)).toBe(String(input.columns.length));
    } finally {
      await wh.close();
    }
  });

  it('a changed bar is updated, not duplicated', async () => {
    const wh = await createWarehouse({ kind: 'duckdb', path: path.join(dir, 'update.duckdb') });
    try {
      const input = chunkInput(rec, '2011H1', '2011-01-01T00:00:00Z', '2011-07-01T00:00:00Z');
      await wh.loadBars(input);
      // test-only corruption of a copy: the same bar restated with a different close
      const restated = sliceOhlcvColumns(input.columns, 0, input.columns.length);
      const close = new BigInt64Array(restated.close);
      close[10] += 250_000_000n;
      const r = await wh.loadBars({ ...input, columns: { ...restated, close } });
      expect(r).toMatchObject({ inserted: 0, updated: 1, unchanged: input.columns.length - 1 });
      expect(await count(wh)).toBe(String(input.columns.length));
    } finally {
      await wh.close();
    }
  });

  it('ensureSchema twice creates nothing the second time and records the version', async () => {
    const wh = await createWarehouse({ kind: 'duckdb', path: path.join(dir, 'schema.duckdb') });
    try {
      const first = await wh.ensureSchema();
      expect(first.created).toContain('market_data.databento_futures_ohlcv_1d');
      expect(first.created).toContain('ops.ingest_ledger');
      const second = await wh.ensureSchema();
      expect(second).toEqual({ created: [], migrated: [], version: first.version });
      const v = await wh.query<{ version: string }>('SELECT version FROM ops.schema_migrations');
      expect(v).toEqual([{ version: String(first.version) }]);
    } finally {
      await wh.close();
    }
  });

  it('an existing table with an incompatible column type fails with WarehouseSchemaError and changes nothing', async () => {
    const file = path.join(dir, 'incompatible.duckdb');
    const inst = await DuckDBInstance.create(file);
    const conn = await inst.connect();
    await conn.run('CREATE SCHEMA market_data');
    // wrong on purpose: prices as DOUBLE
    await conn.run('CREATE TABLE market_data.databento_futures_ohlcv_1d (ts_event TIMESTAMP, instrument_id BIGINT, open DOUBLE)');
    await conn.run(`INSERT INTO market_data.databento_futures_ohlcv_1d VALUES (TIMESTAMP '2020-12-28 00:00:00', 5482, 3702.75)`);
    conn.closeSync();
    inst.closeSync();
    const wh = await createWarehouse({ kind: 'duckdb', path: file });
    try {
      const err = await wh.ensureSchema().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WarehouseSchemaError);
      expect((err as WarehouseSchemaError).code).toBe('WAREHOUSE_SCHEMA_INCOMPATIBLE');
      expect((err as WarehouseSchemaError).mismatches).toContainEqual({ column: 'open', expected: 'DECIMAL(38,9)', actual: 'DOUBLE' });
      // planning happens before any DDL: no other core table was created, the bad table is untouched
      const tables = await wh.query<{ n: string }>(`SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema IN ('market_data', 'ops')`);
      expect(tables[0].n).toBe('1');
      const rows = await wh.query('SELECT * FROM market_data.databento_futures_ohlcv_1d');
      expect(rows).toEqual([{ ts_event: '2020-12-28T00:00:00.000000Z', instrument_id: '5482', open: 3702.75 }]);
    } finally {
      await wh.close();
    }
  });

  it('rejects a chunk with one UNDEF price before writing anything, naming the row', async () => {
    const wh = await createWarehouse({ kind: 'duckdb', path: path.join(dir, 'bad.duckdb') });
    try {
      await wh.ensureSchema();
      const input = chunkInput(rec, '2014H1', '2014-01-01T00:00:00Z', '2014-07-01T00:00:00Z');
      // test-only corruption: one real bar's high made UNDEF_PRICE
      const high = new BigInt64Array(input.columns.high);
      high[1234] = 2n ** 63n - 1n;
      const bad: LoadBarsInput = { ...input, columns: { ...input.columns, high } };
      const err = (await wh.loadBars(bad).catch((e: unknown) => e)) as WarehouseBadRowsError;
      expect(err).toBeInstanceOf(WarehouseBadRowsError);
      expect(err).toMatchObject({ code: 'WAREHOUSE_BAD_ROWS', retryable: false, rowIndex: 1234, field: 'high', instrumentId: input.columns.instrument_id[1234] });
      expect(err.message).toContain('row 1234');
      expect(await count(wh)).toBe('0');
      // a bar outside the chunk is refused the same way
      const outside = chunkInput(rec, '2014H1', '2014-01-01T00:00:00Z', '2014-03-01T00:00:00Z');
      const wide = chunkInput(rec, 'x', '2014-01-01T00:00:00Z', '2014-03-04T00:00:00Z');
      const e2 = (await wh.loadBars({ ...outside, columns: wide.columns, symbol: wide.symbol }).catch((e: unknown) => e)) as WarehouseBadRowsError;
      expect(e2).toMatchObject({ field: 'ts_event', rowIndex: outside.columns.length });
      expect(await count(wh)).toBe('0');
    } finally {
      await wh.close();
    }
  });
});

describe('DuckDB warehouse: generic upserts, ledger, query', () => {
  let wh: Warehouse;
  beforeAll(async () => {
    wh = await createWarehouse({ kind: 'duckdb', path: path.join(dir, 'generic.duckdb') });
    await wh.ensureSchema();
  });
  afterAll(() => wh.close());

  it('upserts symbology idempotently and deletes missing rows in scope on request', async () => {
    const row = (out: string, start: string, end: string) => ({
      dataset: 'GLBX.MDP3',
      stype_in: 'continuous',
      input_symbol: 'ZL.c.0',
      stype_out: 'instrument_id',
      output_symbol: out,
      start_date: start,
      end_date: end,
      source: 'test',
      ingested_at: null,
    });
    const rows = [row('100', '2024-01-01', '2024-02-01'), row('200', '2024-02-01', '2024-03-01')];
    expect(await wh.upsertRows(symbologyTable, rows)).toEqual({ rows: 2, inserted: 2, updated: 0, deleted: 0 });
    expect(await wh.upsertRows(symbologyTable, rows)).toEqual({ rows: 2, inserted: 0, updated: 0, deleted: 0 });
    const refreshed = [row('100', '2024-01-01', '2024-02-15')];
    expect(
      await wh.upsertRows(symbologyTable, refreshed, { scope: { column: 'start_date', start: '2024-01-01', end: '2025-01-01' }, deleteMissingInScope: true }),
    ).toEqual({ rows: 1, inserted: 0, updated: 1, deleted: 1 });
    const all = await wh.query('SELECT output_symbol, start_date, end_date FROM market_data.symbology');
    expect(all).toEqual([{ output_symbol: '100', start_date: '2024-01-01', end_date: '2024-02-15' }]);
  });

  it('records and filters ledger rows (upsert on chunk_id, series)', async () => {
    const base = {
      chunk_id: '2010H1',
      series: 'GLBX.MDP3/ohlcv-1h/NQ.FUT',
      dataset: 'GLBX.MDP3',
      schema: 'ohlcv-1h',
      symbols: 'NQ.FUT',
      start: '2010-06-06T00:00:00Z',
      end: '2010-07-01T00:00:00Z',
      status: 'downloaded' as const,
      rows: 954,
      bytes: 12345,
      sha256: 'ab'.repeat(32),
      cost_usd: 0.25,
      validation: null,
      error: null,
      workflow_id: 'backfill/x',
      updated_at: '',
    };
    await wh.recordLedger(base);
    await wh.recordLedger({ ...base, status: 'loaded', validation: '{"ok":true}' });
    await wh.recordLedger({ ...base, chunk_id: '2010H2', start: '2010-07-01T00:00:00Z', end: '2011-01-01T00:00:00Z', status: 'planned', rows: null });
    const all = await wh.ledger({ symbol: 'NQ.FUT' });
    expect(all.map((r) => [r.chunk_id, r.status])).toEqual([
      ['2010H1', 'loaded'],
      ['2010H2', 'planned'],
    ]);
    expect(all[0]).toMatchObject({ start: '2010-06-06T00:00:00Z', end: '2010-07-01T00:00:00Z', rows: 954, cost_usd: 0.25, validation: '{"ok":true}' });
    expect(await wh.ledger({ status: 'planned' })).toHaveLength(1);
    expect(await wh.ledger({ symbol: 'ES.FUT' })).toHaveLength(0);
  });

  it('translates @params, leaves strings alone, and returns exact strings for BIGINT/DECIMAL', async () => {
    const rows = await wh.query('SELECT @a AS a, \'@not_a_param\' AS s, CAST(@b AS DECIMAL(38,9)) AS d, 9007199254740993::BIGINT AS big', { a: 42, b: '3702.750000000' });
    expect(rows).toEqual([{ a: 42, s: '@not_a_param', d: '3702.75', big: '9007199254740993' }]);
  });
});
