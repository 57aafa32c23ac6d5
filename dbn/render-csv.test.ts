import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { dataFile, marketDataDir } from '../test/support/market-data-dir';
import { readNqOhlcv1h, readNqOhlcv1mDays, readNqSymbology } from '../recordings';
import { decodeOhlcvColumns, readDbnFile } from './decode';
import { encodeOhlcvColumns } from './encode';
import { createCsvRenderer, renderCsv } from './render-csv';
import { createJsonRenderer } from './render-json';
import { TsSymbolMap } from './symbol-map';
import { zstdDecompress } from './zstd';
import { samplePath } from './test-samples';

const NQ_1H = 'databento-nq/ohlcv-1h/glbx-mdp3-20100606-20251231.ohlcv-1h.csv.zst';

describe('CSV renderer: byte-for-byte against real Databento CSV downloads', () => {
  it('NQ.FUT ohlcv-1h: recording → DBN → decode → CSV equals the downloaded file (228,911 rows)', async () => {
    const dir = marketDataDir();
    const rec = await readNqOhlcv1h(dir);
    const dbn = encodeOhlcvColumns(
      { dataset: 'GLBX.MDP3', schema: 'ohlcv-1h', start: 1275782400000000000n, end: 1767225600000000000n, stype_in: 'parent', symbols: ['NQ.FUT'] },
      rec.columns,
    );
    const { metadata, columns } = decodeOhlcvColumns(dbn);
    expect(columns.length).toBe(228_911);
    const expected = Buffer.from(zstdDecompress(readFileSync(dataFile(NQ_1H))));

    // symbols from the recording's per-row symbol column
    const r1 = createCsvRenderer(metadata, { pretty_px: true, pretty_ts: true, map_symbols: true });
    const viaRows = Buffer.concat([Buffer.from(r1.header()), r1.rowsBytes(columns, rec.symbol)]);
    expect(viaRows.length).toBe(expected.length);
    expect(viaRows.equals(expected)).toBe(true);

    // symbols resolved by instrument_id and date from symbology.json (what map_symbols does)
    const map = TsSymbolMap.fromSymbology(await readNqSymbology(dir));
    const r2 = createCsvRenderer(metadata, {}, map);
    const viaMap = r2.header() + r2.rows(columns);
    expect(Buffer.from(viaMap, 'latin1').equals(expected)).toBe(true);
  });

  it('NQ ohlcv-1m day 2025-12-15 (the roll week) round-trips byte for byte', async () => {
    const day = await readNqOhlcv1mDays(marketDataDir(), ['20251215']);
    const { metadata, columns } = decodeOhlcvColumns(encodeOhlcvColumns({ dataset: 'GLBX.MDP3', schema: 'ohlcv-1m', start: 0n, stype_in: 'parent' }, day.columns));
    const expected = zstdDecompress(readFileSync(dataFile('databento-nq/ohlcv-1m/glbx-mdp3-20251215.ohlcv-1m.csv.zst')));
    const text = renderCsv(metadata, columns, {}, undefined, day.symbol);
    expect(Buffer.from(text).equals(Buffer.from(expected))).toBe(true);
  });

  it('renders records and columns identically; raw (non-pretty) values are integers', async () => {
    const { metadata, records } = await readDbnFile(samplePath('databento-python/GLBX.MDP3/test_data.ohlcv-1h.dbn.zst'));
    const { columns } = decodeOhlcvColumns(readFileSync(samplePath('databento-python/GLBX.MDP3/test_data.ohlcv-1h.dbn.zst')));
    for (const opts of [{}, { pretty_px: false, pretty_ts: false }, { map_symbols: false }]) {
      const r = createCsvRenderer(metadata, opts);
      expect(r.rows(records), JSON.stringify(opts)).toBe(r.rows(columns));
    }
    const raw = createCsvRenderer(metadata, { pretty_px: false, pretty_ts: false });
    expect(raw.header()).toBe('ts_event,rtype,publisher_id,instrument_id,open,high,low,close,volume,symbol\n');
    expect(raw.rows(records).split('\n')[0]).toBe('1609113600000000000,34,1,5482,3702750000000,3707000000000,3697250000000,3705750000000,11891,ESH1');
  });
});

describe('CSV/JSON for other schemas (dbn encoder column orders)', () => {
  it('trades, mbp-1, statistics and definition headers match real Databento headers', async () => {
    const header = async (schema: string) =>
      createCsvRenderer((await readDbnFile(samplePath(`databento-python/GLBX.MDP3/test_data.${schema}.dbn.zst`))).metadata).header().trim();
    expect(await header('trades')).toBe('ts_recv,ts_event,rtype,publisher_id,instrument_id,action,side,depth,price,size,flags,ts_in_delta,sequence,symbol');
    expect(await header('mbp-1')).toBe(
      'ts_recv,ts_event,rtype,publisher_id,instrument_id,action,side,depth,price,size,flags,ts_in_delta,sequence,bid_px_00,ask_px_00,bid_sz_00,ask_sz_00,bid_ct_00,ask_ct_00,symbol',
    );
    expect(await header('statistics')).toBe(
      'ts_recv,ts_event,rtype,publisher_id,instrument_id,ts_ref,price,quantity,sequence,ts_in_delta,stat_type,channel_id,update_action,stat_flags,symbol',
    );
    expect(await header('mbo')).toBe('ts_recv,ts_event,rtype,publisher_id,instrument_id,action,side,price,size,channel_id,order_id,flags,ts_in_delta,sequence,symbol');
    const def = (await header('definition')).split(',');
    expect(def.slice(0, 8)).toEqual(['ts_recv', 'ts_event', 'rtype', 'publisher_id', 'instrument_id', 'raw_symbol', 'security_update_action', 'instrument_class']);
    expect(def.slice(-3)).toEqual(['leg_ratio_qty_denominator', 'leg_underlying_id', 'symbol']);
  });

  it('renders UNDEF statistics fields empty in CSV and null in JSON', async () => {
    const { metadata, records } = await readDbnFile(samplePath('databento-python/GLBX.MDP3/test_data.statistics.dbn.zst'));
    const csv = createCsvRenderer(metadata).rows(records).split('\n')[0].split(',');
    // ts_ref (index 5) and quantity are UNDEF in these records; ts_ref renders empty when pretty
    expect(csv[5]).toBe('');
    expect(csv.at(-1)).toBe('ESH1');
    const json = JSON.parse(createJsonRenderer(metadata).rows(records).split('\n')[0]);
    expect(json.ts_ref).toBeNull();
    expect(json.hd).toEqual({ ts_event: expect.stringMatching(/^2020-12-28T01:09:29\.\d{9}Z$/), rtype: 24, publisher_id: 1, instrument_id: 5482 });
    expect(json.symbol).toBe('ESH1');
  });

  it('JSON lines for the ohlcv-1d sample: nested hd, quoted 64-bit values, symbol', async () => {
    const { metadata, records } = await readDbnFile(samplePath('databento-python/GLBX.MDP3/test_data.ohlcv-1d.dbn.zst'));
    expect(createJsonRenderer(metadata).rows(records)).toBe(
      '{"hd":{"ts_event":"2020-12-28T00:00:00.000000000Z","rtype":35,"publisher_id":1,"instrument_id":5482},"open":"3702.750000000","high":"3735.000000000","low":"3697.250000000","close":"3735.000000000","volume":"718174","symbol":"ESH1"}\n',
    );
    expect(createJsonRenderer(metadata, { pretty_px: false, pretty_ts: false, map_symbols: false }).rows(records)).toBe(
      '{"hd":{"ts_event":"1609113600000000000","rtype":35,"publisher_id":1,"instrument_id":5482},"open":"3702750000000","high":"3735000000000","low":"3697250000000","close":"3735000000000","volume":"718174"}\n',
    );
  });
});
