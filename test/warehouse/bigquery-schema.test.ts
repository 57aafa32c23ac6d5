import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BigQuery } from '@google-cloud/bigquery';
import {
  symbologyTable,
  WarehouseSchemaError,
  type Warehouse,
} from '../../warehouse';
import { startBigQueryEmulator, type RunningBigQueryEmulator } from '../support/bigquery-emulator';
import { emulatorBigQuery, openEmulatorWarehouse } from './emulator-warehouse';

const TABLE = 'market_data.databento_futures_ohlcv_1h';
let emu: RunningBigQueryEmulator;
let wh: Warehouse;
/** a plain client for what the test sets up itself (the emulator has no CREATE SCHEMA) */
let bq: BigQuery;

beforeAll(async () => {
  emu = await startBigQueryEmulator({ projectId: 'wh-test' });
  bq = emulatorBigQuery(emu);
  wh = await openEmulatorWarehouse(emu);
});
afterAll(async () => {
  await wh?.close();
  await emu?.stop();
});

describe('BigQuery emulator warehouse: MERGE smoke, schema, upserts, ledger', () => {
  it('MERGE smoke: the replace-MERGE form (ON FALSE, IN-subquery delete, explicit INSERT columns) runs', async () => {
    await bq.createDataset('smoke');
    await wh.query('CREATE TABLE smoke.t (k INT64, v NUMERIC)');
    await wh.query(`CREATE TABLE smoke.s AS SELECT 1 AS k, NUMERIC '1.5' AS v UNION ALL SELECT 2, NUMERIC '2.000000001'`);
    await wh.query(`INSERT INTO smoke.t (k, v) VALUES (1, NUMERIC '9')`);
    await wh.query(
      'MERGE INTO `smoke.t` AS t USING `smoke.s` AS s ON FALSE ' +
        'WHEN NOT MATCHED BY SOURCE AND TO_JSON_STRING(STRUCT(t.k)) IN (SELECT TO_JSON_STRING(STRUCT(x.k)) FROM `smoke.s` AS x) THEN DELETE ' +
        'WHEN NOT MATCHED BY TARGET THEN INSERT (k, v) VALUES (s.k, s.v)',
    );
    expect(await wh.query('SELECT k, v FROM smoke.t ORDER BY k')).toEqual([
      { k: '1', v: '1.5' },
      { k: '2', v: '2.000000001' },
    ]);
  });

  it('ensureSchema twice creates nothing the second time; bar tables carry partitioning and clustering', async () => {
    const first = await wh.ensureSchema();
    expect(first.created).toContain(TABLE);
    expect(await wh.ensureSchema()).toEqual({ created: [], migrated: [], version: first.version });
    const [md] = await bq.dataset('market_data').table('databento_futures_ohlcv_1h').getMetadata();
    expect(md.timePartitioning).toMatchObject({ type: 'MONTH', field: 'ts_event' });
    expect(md.clustering).toEqual({ fields: ['symbol', 'ts_event'] });
    expect(md.schema.fields.find((f: { name: string }) => f.name === 'open')).toMatchObject({ type: 'NUMERIC', mode: 'REQUIRED' });
  });

  it('an incompatible existing table fails with WarehouseSchemaError and stays as it was', async () => {
    await bq.createDataset('wrong');
    await wh.query('CREATE TABLE wrong.databento_futures_ohlcv_1d (ts_event TIMESTAMP, instrument_id INT64, open FLOAT64)');
    const spec = { ...(await import('../../warehouse')).barTableSpec('ohlcv-1d'), dataset: 'wrong' };
    const err = await wh.ensureTables([spec]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WarehouseSchemaError);
    expect((err as WarehouseSchemaError).mismatches).toContainEqual({ column: 'open', expected: 'NUMERIC', actual: 'FLOAT64' });
    const cols = await wh.query(`SELECT column_name, data_type FROM wrong.INFORMATION_SCHEMA.COLUMNS WHERE table_name = 'databento_futures_ohlcv_1d' ORDER BY ordinal_position`);
    expect(cols.map((c) => c.column_name)).toEqual(['ts_event', 'instrument_id', 'open']);
  });

  it('upserts generic rows and ledger rows through load jobs', async () => {
    const row = (out: string, start: string, end: string) => ({
      dataset: 'GLBX.MDP3', stype_in: 'continuous', input_symbol: 'ZL.c.0', stype_out: 'instrument_id',
      output_symbol: out, start_date: start, end_date: end, source: 'test', ingested_at: '2026-01-01T00:00:00Z',
    });
    const rows = [row('100', '2024-01-01', '2024-02-01'), row('200', '2024-02-01', '2024-03-01')];
    expect(await wh.upsertRows(symbologyTable, rows)).toEqual({ rows: 2, inserted: 2, updated: 0, deleted: 0 });
    expect(await wh.upsertRows(symbologyTable, rows)).toEqual({ rows: 2, inserted: 0, updated: 0, deleted: 0 });
    expect(
      await wh.upsertRows(symbologyTable, [row('100', '2024-01-01', '2024-02-15')], {
        scope: { column: 'start_date', start: '2024-01-01', end: '2025-01-01' },
        deleteMissingInScope: true,
      }),
    ).toEqual({ rows: 1, inserted: 0, updated: 1, deleted: 1 });
    expect(await wh.query('SELECT output_symbol, start_date, end_date FROM market_data.symbology')).toEqual([
      { output_symbol: '100', start_date: '2024-01-01', end_date: '2024-02-15' },
    ]);
    const base = {
      chunk_id: '2010H1', series: 'GLBX.MDP3/ohlcv-1h/NQ.FUT', dataset: 'GLBX.MDP3', schema: 'ohlcv-1h', symbols: 'NQ.FUT',
      start: '2010-06-06T00:00:00Z', end: '2010-07-01T00:00:00Z', status: 'validated' as const, rows: 954, bytes: null,
      sha256: null, cost_usd: null, validation: null, error: null, workflow_id: null, updated_at: '',
    };
    await wh.recordLedger(base);
    await wh.recordLedger({ ...base, status: 'loaded' });
    const ledger = await wh.ledger({ series: base.series });
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ chunk_id: '2010H1', status: 'loaded', rows: 954, start: '2010-06-06T00:00:00Z' });
  });
});
