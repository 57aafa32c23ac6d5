import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDbnFile } from '../../dbn/decode';
import type { InstrumentDefMsg } from '../../dbn/records';
import {
  instrumentRows,
  rollCalendarRows,
  symbologyRowsFromMetadata,
  symbologyRowsFromResolve,
} from '../../futures/instrument-rows';
import { buildFrontMonth } from '../../futures/rolls';
import { readNqOhlcv1h, readNqSymbology } from '../../recordings';
import { instrumentsTable, rollCalendarTable, symbologyTable } from '../../warehouse/core-tables';
import { createWarehouse, type Warehouse } from '../../warehouse/warehouse';
import { dataFile, marketDataDir } from '../support/market-data-dir';

const DEFINITION_FILES = [
  'databento-samples/nautilus_trader/historical_bars_catalog/databento/futures_definition.dbn.zst',
  'databento-samples/nautilus_trader/options_catalog/databento/futures_definition.dbn.zst',
  'databento-samples/nautilus_trader/futures_settlement/databento/futures_settlement_definition.dbn.zst',
  'databento-samples/nautilus_trader/definition-glbx-es-futspread.dbn.zst',
  'databento-samples/databento-python/GLBX.MDP3/test_data.definition.dbn.zst',
];

describe('instrument, symbology and roll rows into a real DuckDB warehouse', () => {
  let dir: string;
  let wh: Warehouse;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'd-instruments-'));
    wh = await createWarehouse({ kind: 'duckdb', path: path.join(dir, 'w.duckdb') });
    await wh.ensureSchema();
  }, 60_000);
  afterAll(async () => {
    await wh?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('loads real GLBX definitions (v1 and v3) into market_data.instruments, idempotently', async () => {
    let expected = 0;
    for (const file of DEFINITION_FILES) {
      const { records } = await readDbnFile(dataFile(file));
      const defs = records.filter((r): r is InstrumentDefMsg => r.kind === 'definition');
      expected += defs.length;
      const rows = instrumentRows(defs, { dataset: 'GLBX.MDP3', source: file, at: '2026-01-01T00:00:00Z' });
      await wh.upsertRows(instrumentsTable, rows);
      const again = await wh.upsertRows(instrumentsTable, rows);
      expect(again.inserted).toBe(0);
    }
    const rows = await wh.query<Record<string, string | null>>(
      'SELECT instrument_id, raw_symbol, instrument_class, expiration, min_price_increment, unit_of_measure_qty, contract_multiplier, maturity_year FROM market_data.instruments ORDER BY instrument_id',
    );
    expect(rows.length).toBe(expected);
    const esh1 = rows.find((r) => r.raw_symbol === 'ESH1')!;
    expect(esh1).toMatchObject({ instrument_id: '5482', instrument_class: 'F', min_price_increment: '0.25', unit_of_measure_qty: '50', maturity_year: '2021' });
    expect(esh1.contract_multiplier).toBeNull(); // dbn UNDEF (i32::MAX) → null
    expect(esh1.expiration).toBe('2021-03-19T13:30:00.000000Z');
    const nqu4 = rows.find((r) => r.raw_symbol === 'NQU4')!;
    expect(nqu4).toMatchObject({ instrument_id: '4358', unit_of_measure_qty: '20' });
    const spreads = rows.filter((r) => r.raw_symbol?.includes('-'));
    expect(spreads.length).toBeGreaterThan(0);
    for (const s of spreads) expect(s.instrument_class).toBe('S');
  });

  it('loads the NQ batch symbology.json and DBN metadata mappings into market_data.symbology', async () => {
    const sym = await readNqSymbology(marketDataDir());
    const rows = symbologyRowsFromResolve(
      { result: sym, symbols: ['NQ.FUT'], stype_in: 'parent', stype_out: 'instrument_id' },
      { dataset: 'GLBX.MDP3', source: 'databento-nq/ohlcv-1h/symbology.json', at: '2026-01-01T00:00:00Z' },
    );
    const intervals = Object.values(sym).flat().filter((iv) => iv.s !== '').length;
    expect(rows.length).toBe(intervals);
    await wh.upsertRows(symbologyTable, rows);
    expect((await wh.upsertRows(symbologyTable, rows)).inserted).toBe(0);
    const nqh0 = await wh.query<{ stype_in: string; output_symbol: string; start_date: string; end_date: string }>(
      "SELECT stype_in, output_symbol, start_date, end_date FROM market_data.symbology WHERE input_symbol = 'NQH0' ORDER BY start_date",
    );
    // NQH0 is two contracts a decade apart.
    expect(nqh0.length).toBe(sym.NQH0.filter((iv) => iv.s).length);
    expect(nqh0.every((r) => r.stype_in === 'raw_symbol')).toBe(true);
    expect(nqh0[0].output_symbol).toBe(sym.NQH0[0].s);

    const { metadata } = await readDbnFile(dataFile('databento-samples/nautilus_trader/definition-glbx-es-futspread.dbn.zst'));
    const metaRows = symbologyRowsFromMetadata(metadata, { dataset: 'GLBX.MDP3', source: 'es-futspread' });
    expect(metaRows.length).toBe(metadata.mappings.reduce((n, m) => n + m.intervals.filter((i) => i.symbol).length, 0));
    await wh.upsertRows(symbologyTable, metaRows);
  });

  it('writes the NQ front-month rolls into market_data.roll_calendar once', async () => {
    const rec = await readNqOhlcv1h(marketDataDir());
    const fm = buildFrontMonth(rec.columns, (i) => rec.symbol[i], { rule: 'volume-crossover', series: 'NQ.FUT.front.volume' });
    const rows = rollCalendarRows(fm.rolls, { dataset: 'GLBX.MDP3', source: 'test', at: '2026-01-01T00:00:00Z' });
    const first = await wh.upsertRows(rollCalendarTable, rows);
    expect(first.inserted).toBe(fm.rolls.length);
    expect((await wh.upsertRows(rollCalendarTable, rows)).inserted).toBe(0);
    const got = await wh.query<{ n: string; first: string }>("SELECT count(*) AS n, min(roll_date) AS first FROM market_data.roll_calendar WHERE series = 'NQ.FUT.front.volume'");
    expect(got[0]).toEqual({ n: String(fm.rolls.length), first: fm.rolls[0].roll_date });
  }, 60_000);
});
