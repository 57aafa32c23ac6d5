import { beforeAll, describe, expect, it } from 'vitest';
import { takeOhlcvColumns, type OhlcvColumns } from '../../dbn/ohlcv-columns';
import { resampleOhlcv, ResampleIntervalError } from '../../futures/resample';
import { readNqOhlcv1h, readNqOhlcv1mDays, type OhlcvRecording } from '../../recordings';
import { formatTsNs, parseTimeNs } from '../../domain/time';
import { marketDataDir } from '../support/market-data-dir';

// The 1m recording covers whole UTC days 2025-10-01..2025-12-31 (no file for Saturdays: no trades).
const Q4_START = parseTimeNs('2025-10-01T00:00:00Z');
const Q4_END = parseTimeNs('2026-01-01T00:00:00Z');

const bar = (c: OhlcvColumns, i: number): string =>
  `iid=${c.instrument_id[i]} ts=${formatTsNs(c.ts_event[i])} rtype=${c.rtype[i]} pub=${c.publisher_id[i]} ` +
  `O=${c.open[i]} H=${c.high[i]} L=${c.low[i]} C=${c.close[i]} V=${c.volume[i]}`;
const keyOf = (c: OhlcvColumns, i: number): string => `${c.instrument_id[i]}@${c.ts_event[i]}`;

describe('resampleOhlcv on the real NQ recordings', () => {
  let m1: OhlcvRecording;
  let h1: OhlcvRecording;
  beforeAll(async () => {
    const dir = marketDataDir();
    [m1, h1] = await Promise.all([readNqOhlcv1mDays(dir), readNqOhlcv1h(dir)]);
  }, 120_000);

  it('1m → 1h reproduces every recorded NQ ohlcv-1h bar of Q4 2025 exactly, and no extra bar', () => {
    const resampled = resampleOhlcv(m1.columns, { from: 'ohlcv-1m', to: '1h' });
    const instruments = new Set(m1.columns.instrument_id);
    const recorded = new Map<string, number>();
    for (let i = 0; i < h1.columns.length; i++) {
      const ts = h1.columns.ts_event[i];
      if (ts >= Q4_START && ts < Q4_END && instruments.has(h1.columns.instrument_id[i])) recorded.set(keyOf(h1.columns, i), i);
    }
    expect(recorded.size).toBeGreaterThan(4_000); // 4,622 hourly bars of the 1m instruments in Q4 2025

    const mismatches: string[] = [];
    const extra: string[] = [];
    const matched = new Set<string>();
    for (let k = 0; k < resampled.length; k++) {
      const key = keyOf(resampled, k);
      const i = recorded.get(key);
      if (i === undefined) {
        extra.push(bar(resampled, k));
        continue;
      }
      matched.add(key);
      const c = h1.columns;
      const same =
        resampled.rtype[k] === c.rtype[i] &&
        resampled.publisher_id[k] === c.publisher_id[i] &&
        resampled.open[k] === c.open[i] &&
        resampled.high[k] === c.high[i] &&
        resampled.low[k] === c.low[i] &&
        resampled.close[k] === c.close[i] &&
        resampled.volume[k] === c.volume[i];
      if (!same) mismatches.push(`resampled ${bar(resampled, k)}\n recorded ${bar(c, i)}`);
    }
    const missing = [...recorded.entries()].filter(([key]) => !matched.has(key)).map(([, i]) => bar(h1.columns, i));
    expect(mismatches.slice(0, 5), `${mismatches.length} mismatching bars`).toEqual([]);
    expect(extra.slice(0, 5), `${extra.length} resampled bars absent from the 1h recording`).toEqual([]);
    expect(missing.slice(0, 5), `${missing.length} recorded 1h bars not reproduced`).toEqual([]);
    expect(resampled.length).toBe(recorded.size);
  });

  it('output is sorted by ts_event then instrument_id and volume is conserved exactly', () => {
    const r = resampleOhlcv(m1.columns, { from: 'ohlcv-1m', to: '15m' });
    for (let k = 1; k < r.length; k++) {
      const ordered = r.ts_event[k - 1] < r.ts_event[k] || (r.ts_event[k - 1] === r.ts_event[k] && r.instrument_id[k - 1] < r.instrument_id[k]);
      if (!ordered) throw new Error(`not sorted at ${k}: ${bar(r, k - 1)} then ${bar(r, k)}`);
    }
    const sum = (c: OhlcvColumns): bigint => c.volume.reduce((a, v) => a + v, 0n);
    expect(sum(r)).toBe(sum(m1.columns));
    expect(new Set(r.rtype)).toEqual(new Set([0x21]));
    expect(r.length).toBeLessThan(m1.columns.length);
  });

  it('UTC-day and CME-session days agree whether built from the 1m or the 1h recording', () => {
    const q4h = (() => {
      const idx: number[] = [];
      const ids = new Set(m1.columns.instrument_id);
      for (let i = 0; i < h1.columns.length; i++) {
        const ts = h1.columns.ts_event[i];
        if (ts >= Q4_START && ts < Q4_END && ids.has(h1.columns.instrument_id[i])) idx.push(i);
      }
      return idx;
    })();
    for (const target of ['utc-1d', 'session-1d'] as const) {
      const a = resampleOhlcv(m1.columns, { from: 'ohlcv-1m', to: target });
      const subset = takeOhlcvColumns(h1.columns, q4h);
      const b = resampleOhlcv(subset, { from: 'ohlcv-1h', to: target });
      expect(a.length, target).toBe(b.length);
      for (let k = 0; k < a.length; k++) {
        if (bar(a, k) !== bar(b, k)) throw new Error(`${target} differs at ${k}: ${bar(a, k)} vs ${bar(b, k)}`);
      }
      expect(new Set(a.rtype)).toEqual(new Set([target === 'utc-1d' ? 0x23 : 0x24]));
    }
  });

  it('session-1d stamps bars at the CME trade date 00:00Z: a Sunday-evening bar belongs to Monday', () => {
    const s = resampleOhlcv(m1.columns, { from: 'ohlcv-1m', to: 'session-1d' });
    for (let k = 0; k < s.length; k++) {
      expect(s.ts_event[k] % 86_400_000_000_000n).toBe(0n);
      const dow = new Date(Number(s.ts_event[k] / 1_000_000n)).getUTCDay();
      expect(dow === 0 || dow === 6, `weekend session at ${formatTsNs(s.ts_event[k])}`).toBe(false);
    }
  });

  it('rejects a source interval that does not tile the target', () => {
    expect(() => resampleOhlcv(h1.columns, { from: 'ohlcv-1h', to: '15m' })).toThrow(ResampleIntervalError);
    expect(() => resampleOhlcv(h1.columns, { from: 'ohlcv-1d', to: 'session-1d' })).toThrow(ResampleIntervalError);
  });
});
