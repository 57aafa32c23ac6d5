import { describe, it, expect } from 'vitest';
import { marketDataDir } from '../test/support/market-data-dir';
import { readNqOhlcv1h, readNqSymbology } from '../recordings';
import { readDbnFile } from './decode';
import { TsSymbolMap } from './symbol-map';
import { samplePath } from './test-samples';
import { parseTimeNs } from '../domain/time';

describe('TsSymbolMap', () => {
  it('maps instrument_id to the input symbol from metadata mappings, by UTC date [start, end)', async () => {
    const { metadata } = await readDbnFile(samplePath('databento-python/GLBX.MDP3/test_data.ohlcv-1d.dbn.zst'));
    const map = TsSymbolMap.fromMetadata(metadata);
    expect(map.symbolFor(5482, parseTimeNs('2020-12-28T00:00:00Z'))).toBe('ESH1');
    expect(map.symbolFor(5482, parseTimeNs('2020-12-28T23:59:59.999999999Z'))).toBe('ESH1');
    expect(map.symbolFor(5482, parseTimeNs('2020-12-29T00:00:00Z'))).toBeUndefined();
    expect(map.symbolFor(5482, parseTimeNs('2020-12-27T23:59:59.999999999Z'))).toBeUndefined();
    expect(map.symbolFor(5483, parseTimeNs('2020-12-28T00:00:00Z'))).toBeUndefined();
  });

  it('tells recurring one-digit-year NQ symbols apart by instrument_id and date (symbology.json)', async () => {
    const dir = marketDataDir();
    const map = TsSymbolMap.fromSymbology(await readNqSymbology(dir));
    const rec = await readNqOhlcv1h(dir);
    let mismatches = 0;
    for (let i = 0; i < rec.columns.length; i++) {
      if (map.symbolFor(rec.columns.instrument_id[i], rec.columns.ts_event[i]) !== rec.symbol[i]) mismatches++;
    }
    expect(mismatches).toBe(0);
    // raw symbols recur a decade apart with different instrument ids (e.g. NQZ0 = Dec 2010 and Dec 2020)
    const ids = new Map<string, Set<number>>();
    rec.symbol.forEach((s, i) => (ids.get(s) ?? ids.set(s, new Set()).get(s)!).add(rec.columns.instrument_id[i]));
    const recurring = [...ids].filter(([, set]) => set.size > 1).map(([s]) => s);
    expect(recurring).toContain('NQZ0');
  });

  it('accepts explicit entries (instrument_id, date range, symbol)', () => {
    const map = new TsSymbolMap().add(42, '2024-01-01', '2024-02-01', 'CLG4').add(42, '2024-02-01', '2024-03-01', 'CL.n.0');
    expect(map.symbolFor(42, parseTimeNs('2024-01-31T23:00:00Z'))).toBe('CLG4');
    expect(map.symbolFor(42, parseTimeNs('2024-02-01T00:00:00Z'))).toBe('CL.n.0');
    expect(map.symbolFor(42, parseTimeNs('2024-03-01T00:00:00Z'))).toBeUndefined();
  });
});
