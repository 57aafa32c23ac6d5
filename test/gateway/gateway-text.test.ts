import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zstdDecompress } from '../../dbn/zstd';
import { readZlDaily } from '../../recordings';
import { startGateway, type Gateway } from '../../gateway/start-gateway';
import { dataFile, marketDataDir } from '../support/market-data-dir';
import { NQ_1H_ALL, postForm } from './gateway-support';

let gw: Gateway;
beforeAll(async () => {
  gw = await startGateway({ dataDir: marketDataDir() });
});
afterAll(async () => {
  await gw?.close();
});

const PRETTY = { encoding: 'csv', compression: 'none', pretty_px: 'true', pretty_ts: 'True', map_symbols: 'true' };

describe('CSV get_range reproduces the recorded Databento CSV byte for byte', () => {
  it('NQ.FUT parent ohlcv-1h 2010-06-06..2026-01-01 equals the decompressed batch file', async () => {
    const res = await postForm(gw, 'timeseries.get_range', { ...NQ_1H_ALL, ...PRETTY });
    expect(res.status).toBe(200);
    const served = Buffer.from(await res.arrayBuffer());
    const recorded = Buffer.from(zstdDecompress(await readFile(dataFile('databento-nq', 'ohlcv-1h', 'glbx-mdp3-20100606-20251231.ohlcv-1h.csv.zst'))));
    expect(served.length).toBe(recorded.length);
    expect(served.equals(recorded)).toBe(true);
  });

  it('one ohlcv-1m day (2025-12-12, during the NQZ5→NQH6 roll) equals its daily file', async () => {
    const res = await postForm(gw, 'timeseries.get_range', { ...NQ_1H_ALL, schema: 'ohlcv-1m', start: '2025-12-12', end: '2025-12-13', ...PRETTY });
    const served = Buffer.from(await res.arrayBuffer());
    const recorded = Buffer.from(zstdDecompress(await readFile(dataFile('databento-nq', 'ohlcv-1m', 'glbx-mdp3-20251212.ohlcv-1m.csv.zst'))));
    expect(served.toString('utf8').split('\n').length).toBe(recorded.toString('utf8').split('\n').length);
    expect(served.equals(recorded)).toBe(true);
  });

  it('ZL.c.0 continuous ohlcv-1d whole range: 4,062 rows equal to the recording, ts_event = price_date 00:00Z', async () => {
    const res = await postForm(gw, 'timeseries.get_range', {
      dataset: 'GLBX.MDP3',
      symbols: 'ZL.c.0',
      stype_in: 'continuous',
      schema: 'ohlcv-1d',
      start: '2010-06-06',
      end: '2026-08-12',
      ...PRETTY,
    });
    expect(res.status).toBe(200);
    const lines = (await res.text()).trimEnd().split('\n');
    expect(lines[0]).toBe('ts_event,rtype,publisher_id,instrument_id,open,high,low,close,volume,symbol');
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(rows.length).toBe(4062);
    // compare with the recording's raw text: rtype,publisher_id,instrument_id,open,high,low,close,volume,symbol,price_date
    const recorded = (await readFile(dataFile('databento-zl', 'ZL_ohlcv-1d_2010-06-06_2026-08-12.csv'), 'utf8')).trimEnd().split('\n').slice(1).map((l) => l.split(','));
    const sameDecimal = (a: string, b: string) => {
      const [ai, af = ''] = a.split('.');
      const [bi, bf = ''] = b.split('.');
      return ai === bi && af.padEnd(9, '0') === bf.padEnd(9, '0');
    };
    for (let i = 0; i < rows.length; i++) {
      const [ts, rtype, pub, iid, o, h, l, c, v, sym] = rows[i];
      const r = recorded[i];
      expect(ts).toBe(`${r[9]}T00:00:00.000000000Z`);
      expect([rtype, pub, iid, v, sym]).toEqual([r[0], r[1], r[2], r[7], r[8]]);
      for (const [k, served] of [o, h, l, c].entries()) {
        if (!sameDecimal(served, r[3 + k])) expect(`${served} (row ${i})`).toBe(r[3 + k]);
      }
    }
    const rec = await readZlDaily(marketDataDir());
    expect(rec.columns.length).toBe(4062);
  });

  it('json encoding: one object per line, header nested in hd, 64-bit values quoted', async () => {
    const res = await postForm(gw, 'timeseries.get_range', {
      dataset: 'GLBX.MDP3',
      symbols: 'ESH1',
      schema: 'ohlcv-1d',
      start: '2020-12-28',
      encoding: 'json',
      compression: 'none',
      pretty_px: 'true',
      pretty_ts: 'true',
      map_symbols: 'true',
    });
    const lines = (await res.text()).trimEnd().split('\n');
    expect(lines.length).toBe(1);
    const obj = JSON.parse(lines[0]) as { hd: { ts_event: string; instrument_id: number }; open: string; volume: string; symbol: string };
    expect(obj.hd.ts_event).toBe('2020-12-28T00:00:00.000000000Z');
    expect(obj.hd.instrument_id).toBe(5482);
    expect(obj.open).toBe('3702.750000000');
    expect(obj.volume).toBe('718174');
    expect(obj.symbol).toBe('ESH1');
  });

  it('serves the sample definition and trades records as recorded (csv with raw values)', async () => {
    const def = await postForm(gw, 'timeseries.get_range', { dataset: 'GLBX.MDP3', symbols: 'ESH1', schema: 'definition', start: '2020-12-28', encoding: 'csv', compression: 'none', map_symbols: 'true', pretty_ts: 'true', pretty_px: 'true' });
    const text = await def.text();
    const [header, row] = text.trimEnd().split('\n');
    expect(row.split(',')[header.split(',').indexOf('raw_symbol')]).toBe('ESH1');
    const trades = await postForm(gw, 'timeseries.get_range', { dataset: 'GLBX.MDP3', symbols: 'ESH1', schema: 'trades', start: '2020-12-28', encoding: 'csv', compression: 'zstd' });
    const lines = Buffer.from(zstdDecompress(new Uint8Array(await trades.arrayBuffer()))).toString('utf8').trimEnd().split('\n');
    expect(lines.length).toBe(5); // header + the sample's 4 trades
  });
});

describe('batch CSV split by day reproduces the recorded daily files', () => {
  it('NQ.FUT ohlcv-1m 2025-12-11..2025-12-15: files named as Databento named them, no file for Saturday, same bytes', async () => {
    const submit = await postForm(gw, 'batch.submit_job', { ...NQ_1H_ALL, schema: 'ohlcv-1m', start: '2025-12-11', end: '2025-12-15', split_duration: 'day', ...PRETTY, compression: 'zstd' });
    expect(submit.status).toBe(200);
    const job = (await submit.json()) as { id: string };
    const { AUTH } = await import('./gateway-support');
    const files = (await (await fetch(`${gw.url}/v0/batch.list_files?job_id=${job.id}`, { headers: { authorization: AUTH } })).json()) as {
      filename: string;
      urls: { https: string };
    }[];
    const csvFiles = files.filter((f) => f.filename.endsWith('.csv.zst'));
    expect(csvFiles.map((f) => f.filename)).toEqual([
      'glbx-mdp3-20251211.ohlcv-1m.csv.zst',
      'glbx-mdp3-20251212.ohlcv-1m.csv.zst',
      'glbx-mdp3-20251214.ohlcv-1m.csv.zst',
    ]);
    for (const f of csvFiles) {
      const served = Buffer.from(zstdDecompress(new Uint8Array(await (await fetch(f.urls.https, { headers: { authorization: AUTH } })).arrayBuffer())));
      const recorded = Buffer.from(zstdDecompress(await readFile(dataFile('databento-nq', 'ohlcv-1m', f.filename))));
      expect(served.equals(recorded), f.filename).toBe(true);
    }
  });
});
