import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { dataFile, marketDataDir } from '../test/support/market-data-dir';
import { formatTsNs, utcDate } from '../domain/time';
import { formatPx } from '../dbn/price';
import {
  listNqOhlcv1mDays,
  parseOhlcvCsv,
  readClContinuous,
  readDatabentoOhlcvCsv,
  readNqOhlcv1h,
  readNqOhlcv1mDays,
  readNqSymbology,
  readZlDaily,
  RecordingParseError,
  ZL_DAILY_FILE,
} from './';

const dir = marketDataDir();

function countBy(values: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

describe('ZL.c.0 daily recording', () => {
  it('has 4,062 rows from 2010-06-07 to 2026-08-10 with exact decimal prices and 130 instrument segments', async () => {
    const zl = await readZlDaily(dir);
    const c = zl.columns;
    expect(zl.schema).toBe('ohlcv-1d');
    expect(c.length).toBe(4062);
    expect(formatTsNs(c.ts_event[0])).toBe('2010-06-07T00:00:00.000000000Z');
    expect(utcDate(c.ts_event[c.length - 1])).toBe('2026-08-10');
    expect([c.open[0], c.high[0], c.low[0], c.close[0], c.volume[0]]).toEqual([36800000000n, 36830000000n, 36410000000n, 36520000000n, 35897n]);
    expect(c.instrument_id[0]).toBe(74791);
    let segments = 1;
    let minLow = c.low[0];
    let maxHigh = c.high[0];
    for (let i = 1; i < c.length; i++) {
      if (c.instrument_id[i] !== c.instrument_id[i - 1]) segments++;
      expect(c.ts_event[i] > c.ts_event[i - 1]).toBe(true);
      if (c.low[i] < minLow) minLow = c.low[i];
      if (c.high[i] > maxHigh) maxHigh = c.high[i];
    }
    expect(segments).toBe(130);
    expect([formatPx(minLow), formatPx(maxHigh)]).toEqual(['24.640000000', '91.400000000']);
    expect(new Set(zl.symbol)).toEqual(new Set(['ZL.c.0']));
    expect([...new Set(c.rtype)]).toEqual([35]);
  });

  it('every price equals the file text exactly (re-rendered with the same digits)', async () => {
    const zl = await readZlDaily(dir);
    const lines = readFileSync(dataFile(ZL_DAILY_FILE), 'latin1').trim().split('\n').slice(1);
    expect(lines).toHaveLength(zl.columns.length);
    const strip = (s: string) => s.replace(/\.?0+$/, '');
    lines.forEach((line, i) => {
      const f = line.split(',');
      const got = (['open', 'high', 'low', 'close'] as const).map((k) => strip(formatPx(zl.columns[k][i])));
      expect(got, line).toEqual(f.slice(3, 7).map((x) => strip(x.includes('.') ? x : `${x}.0`)));
      expect(utcDate(zl.columns.ts_event[i])).toBe(f[9]);
    });
  });
});

describe('CL continuous (JSON)', () => {
  it('reads 626 rows (313 per CL.n.0 / CL.n.1) in file order with exact prices', async () => {
    const cl = await readClContinuous(dir);
    expect(cl.columns.length).toBe(626);
    expect(cl.schema).toBe('ohlcv-1d');
    expect(countBy(cl.symbol)).toEqual(new Map([['CL.n.1', 313], ['CL.n.0', 313]]));
    expect(cl.symbol[0]).toBe('CL.n.1');
    expect(cl.columns.instrument_id[0]).toBe(463194);
    expect([cl.columns.open[0], cl.columns.high[0], cl.columns.low[0], cl.columns.close[0], cl.columns.volume[0]]).toEqual([
      71900000000n,
      72450000000n,
      71850000000n,
      72170000000n,
      838n,
    ]);
    expect(formatTsNs(cl.columns.ts_event[0])).toBe('2024-01-01T00:00:00.000000000Z');
    expect(utcDate(cl.columns.ts_event[625])).toBe('2024-12-31');
  });
});

describe('NQ.FUT recordings', () => {
  it('ohlcv-1h: 228,911 rows, rtype 34, 2010-06-06T22:00Z..2025-12-31T21:00Z, 40 outrights + 117 spreads', async () => {
    const nq = await readNqOhlcv1h(dir);
    const c = nq.columns;
    expect(c.length).toBe(228_911);
    expect(nq.schema).toBe('ohlcv-1h');
    expect(formatTsNs(c.ts_event[0])).toBe('2010-06-06T22:00:00.000000000Z');
    expect(formatTsNs(c.ts_event[c.length - 1])).toBe('2025-12-31T21:00:00.000000000Z');
    expect([c.instrument_id[0], formatPx(c.open[0]), formatPx(c.close[0]), c.volume[0], nq.symbol[0]]).toEqual([6641, '1831.750000000', '1820.000000000', 2143n, 'NQM0']);
    const counts = countBy(nq.symbol);
    const outrights = [...counts].filter(([s]) => !s.includes('-'));
    const spreads = [...counts].filter(([s]) => s.includes('-'));
    expect(outrights.length).toBe(40);
    expect(spreads.length).toBe(117);
    expect(outrights.reduce((a, [, n]) => a + n, 0)).toBe(179_063);
    expect(spreads.reduce((a, [, n]) => a + n, 0)).toBe(49_848);
    expect([...new Set(c.rtype)]).toEqual([34]);
    // spreads can trade at negative prices: kept exactly
    expect(c.low.some((v) => v < 0n)).toBe(true);
  });

  it('is cached per path (the gateway re-reads it per request)', async () => {
    expect(await readNqOhlcv1h(dir)).toBe(await readNqOhlcv1h(dir));
  });

  it('ohlcv-1m: 79 days, 129,775 rows with the December roll counts', async () => {
    const days = await listNqOhlcv1mDays(dir);
    expect(days).toHaveLength(79);
    expect([days[0], days.at(-1)]).toEqual(['20251001', '20251231']);
    const m = await readNqOhlcv1mDays(dir);
    expect(m.columns.length).toBe(129_775);
    expect(m.schema).toBe('ohlcv-1m');
    const counts = countBy(m.symbol);
    expect(counts.get('NQZ5')).toBe(77_880);
    expect(counts.get('NQH6')).toBe(33_922);
    expect(counts.get('NQZ5-NQH6')).toBe(15_568);
    for (let i = 1; i < m.columns.length; i++) if (m.columns.ts_event[i] < m.columns.ts_event[i - 1]) throw new Error(`out of order at ${i}`);
    const one = await readNqOhlcv1mDays(dir, ['20251001']);
    expect(utcDate(one.columns.ts_event[0])).toBe('2025-10-01');
    await expect(readNqOhlcv1mDays(dir, ['20251004'])).rejects.toBeInstanceOf(RecordingParseError);
  });

  it('symbology.json result maps raw symbols to instrument ids by date', async () => {
    const s = await readNqSymbology(dir);
    expect(s['NQH2']).toEqual([
      { d0: '2010-12-01', d1: '2012-04-17', s: '8870' },
      { d0: '2020-12-06', d1: '2022-03-22', s: '3541' },
    ]);
  });
});

describe('CSV parse errors', () => {
  it('rejects bad rows with the file and line', () => {
    const header = 'ts_event,rtype,publisher_id,instrument_id,open,high,low,close,volume,symbol\n';
    // test-only corruption of a real NQ row
    const realRow = '2010-06-06T22:00:00.000000000Z,34,1,6641,1831.750000000,1832.250000000,1813.000000000,1820.000000000,2143,NQM0\n';
    expect(parseOhlcvCsv(Buffer.from(header + realRow), 'x.csv').columns.open[0]).toBe(1831750000000n);
    const bad = [realRow.replace('1832.250000000', '1832.2500000001'), realRow.replace(',2143', ',21x3'), realRow.replace(',NQM0', ''), 'rtype\n'];
    for (const b of bad) expect(() => parseOhlcvCsv(Buffer.from(header + b), 'x.csv')).toThrow(RecordingParseError);
    expect(() => parseOhlcvCsv(Buffer.from(header.replace('volume', 'vol') + realRow), 'x.csv')).toThrow(/unexpected column/);
    try {
      parseOhlcvCsv(Buffer.from(header + realRow + bad[1]), 'x.csv');
    } catch (e) {
      expect((e as RecordingParseError).line).toBe(3);
      expect((e as RecordingParseError).code).toBe('RECORDING_PARSE_ERROR');
    }
  });

  it('readDatabentoOhlcvCsv reads a single day file (.csv.zst)', async () => {
    const r = await readDatabentoOhlcvCsv(dataFile('databento-nq/ohlcv-1m/glbx-mdp3-20251231.ohlcv-1m.csv.zst'));
    expect(r.schema).toBe('ohlcv-1m');
    expect(r.columns.length).toBeGreaterThan(0);
  });
});
