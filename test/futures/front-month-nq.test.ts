import { beforeAll, describe, expect, it } from 'vitest';
import { takeOhlcvColumns } from '../../dbn/ohlcv-columns';
import { parseFuturesSymbol, isSpreadSymbol } from '../../futures/futures-symbol';
import { contractAwareReturns } from '../../futures/returns';
import { buildFrontMonth, type FrontMonth } from '../../futures/rolls';
import { readNqOhlcv1h, type OhlcvRecording } from '../../recordings';
import { formatTsNs, parseTimeNs } from '../../domain/time';
import { marketDataDir } from '../support/market-data-dir';

describe('NQ.FUT 2010–2025 front month (volume crossover) from the real per-contract hourly bars', () => {
  let rec: OhlcvRecording;
  let fm: FrontMonth;
  const byKey = new Map<string, number>();
  beforeAll(async () => {
    rec = await readNqOhlcv1h(marketDataDir());
    fm = buildFrontMonth(rec.columns, (i) => rec.symbol[i], { rule: 'volume-crossover', series: 'NQ.FUT' });
    for (let i = 0; i < rec.columns.length; i++) byKey.set(`${rec.columns.instrument_id[i]}@${rec.columns.ts_event[i]}`, i);
  }, 120_000);

  it('rolls exactly once per quarterly expiry between the first and the last front contract, never to a spread', () => {
    // Outright quarterly contracts, by instrument_id (symbols recur a decade apart), ordered by expiry.
    const quarterly = fm.contracts.filter((c) => ['H', 'M', 'U', 'Z'].includes(parseFuturesSymbol(c.symbol)!.monthCode));
    const first = quarterly.findIndex((c) => c.instrument_id === fm.segments[0].instrument_id);
    const last = quarterly.findIndex((c) => c.instrument_id === fm.segments[fm.segments.length - 1].instrument_id);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(last).toBeGreaterThan(first);
    expect(fm.rolls.length).toBe(last - first); // 63: NQM0 (Jun 2010) … NQH6 (Mar 2026)
    fm.rolls.forEach((r, k) => {
      expect(r.from_instrument_id).toBe(quarterly[first + k].instrument_id);
      expect(r.to_instrument_id).toBe(quarterly[first + k + 1].instrument_id);
      expect(isSpreadSymbol(r.to_symbol!)).toBe(false);
    });
    for (let k = 0; k < fm.series.unadjusted.length; k++) {
      const sym = rec.symbol[fm.series.sourceRow[k]];
      if (isSpreadSymbol(sym)) throw new Error(`spread ${sym} in the series at ${formatTsNs(fm.series.unadjusted.ts_event[k])}`);
    }
    // The decade of one-digit years: NQH0 appears twice, as 2010 and 2020 contracts with different ids.
    const nqh0 = fm.contracts.filter((c) => c.symbol === 'NQH0');
    expect(nqh0.map((c) => c.expiry_year).sort()).toEqual([2020]); // March 2010 expired before the recording began
    const nqm0 = fm.contracts.filter((c) => c.symbol === 'NQM0').map((c) => c.expiry_year).sort();
    expect(nqm0).toEqual([2010, 2020]);
  });

  it('every unadjusted bar is the recording\'s own bar for that instrument and hour', () => {
    const u = fm.series.unadjusted;
    const c = rec.columns;
    expect(u.length).toBeGreaterThan(80_000);
    for (let k = 0; k < u.length; k++) {
      const i = byKey.get(`${u.instrument_id[k]}@${u.ts_event[k]}`);
      const same =
        i !== undefined &&
        u.open[k] === c.open[i] &&
        u.high[k] === c.high[i] &&
        u.low[k] === c.low[i] &&
        u.close[k] === c.close[i] &&
        u.volume[k] === c.volume[i] &&
        u.rtype[k] === c.rtype[i];
      if (!same) throw new Error(`series bar ${k} (${u.instrument_id[k]} ${formatTsNs(u.ts_event[k])}) differs from the recording`);
      if (k > 0 && u.ts_event[k] <= u.ts_event[k - 1]) throw new Error(`series not strictly increasing at ${k}`);
    }
  });

  it('Panama series has zero gap at every roll; newest segment raw; volume unchanged', () => {
    const { panama, unadjusted, panamaOffsets, segmentOfRow } = fm.series;
    const seriesRowAt = new Map<string, number>();
    for (let k = 0; k < panama.length; k++) seriesRowAt.set(`${panama.instrument_id[k]}@${panama.ts_event[k]}`, k);
    fm.rolls.forEach((r, j) => {
      const ref = r.reference!;
      // The reference closes are the recording's closes of both contracts at the same hour.
      const a = byKey.get(`${r.from_instrument_id}@${ref.ts_event}`)!;
      const b = byKey.get(`${r.to_instrument_id}@${ref.ts_event}`)!;
      expect(rec.columns.close[a]).toBe(ref.from_close);
      expect(rec.columns.close[b]).toBe(ref.to_close);
      expect(ref.ts_event).toBeLessThan(r.ts_event);
      // Old contract's adjusted close at the reference == new contract's adjusted close at that same hour.
      const k = seriesRowAt.get(`${r.from_instrument_id}@${ref.ts_event}`);
      expect(k, `reference bar of roll ${r.roll_date} is in the old segment`).toBeDefined();
      expect(panama.close[k!]).toBe(ref.to_close + panamaOffsets[j + 1]);
    });
    const lastSeg = fm.segments.length - 1;
    expect(panamaOffsets[lastSeg]).toBe(0n);
    for (let k = 0; k < panama.length; k++) {
      if (panama.volume[k] !== unadjusted.volume[k]) throw new Error(`volume changed at ${k}`);
      const off = panamaOffsets[segmentOfRow[k]];
      if (panama.high[k] - unadjusted.high[k] !== off || panama.low[k] - unadjusted.low[k] !== off) throw new Error(`offset mismatch at ${k}`);
    }
  });

  it('ratio series: exact factor, newest segment raw, adjusted reference closes agree to 1e-9', () => {
    const { ratio, unadjusted, ratioFactors, segmentOfRow } = fm.series;
    const last = fm.segments.length - 1;
    expect(ratioFactors[last]).toEqual({ num: 1n, den: 1n });
    for (let k = 0; k < ratio.length; k++) if (segmentOfRow[k] === last) expect(ratio.close[k]).toBe(unadjusted.close[k]);
    fm.rolls.forEach((r, j) => {
      const ref = r.reference!;
      const { num, den } = ratioFactors[j];
      const next = ratioFactors[j + 1];
      // old × f_j and new × f_{j+1} are the same rational number by construction.
      expect(ref.from_close * num * next.den).toBe(ref.to_close * next.num * den);
    });
  });

  it('no look-ahead: cutting the data at a date never changes the contract chosen before it', () => {
    const cut = parseTimeNs('2020-03-14T00:00:00Z'); // mid-March 2020 roll window
    const rows: number[] = [];
    for (let i = 0; i < rec.columns.length; i++) if (rec.columns.ts_event[i] < cut) rows.push(i);
    const partial = buildFrontMonth(takeOhlcvColumns(rec.columns, rows), (k) => rec.symbol[rows[k]], { rule: 'volume-crossover' });
    const full = fm.series.unadjusted;
    const part = partial.series.unadjusted;
    expect(part.length).toBeGreaterThan(50_000);
    for (let k = 0; k < part.length; k++) {
      if (part.instrument_id[k] !== full.instrument_id[k] || part.ts_event[k] !== full.ts_event[k]) {
        throw new Error(`series differs at ${k}: ${formatTsNs(part.ts_event[k])}`);
      }
    }
    expect(partial.rolls.map((r) => r.roll_date)).toEqual(fm.rolls.filter((r) => r.ts_event < cut).map((r) => r.roll_date));
  });

  it('contract-aware returns on the front-month series never span a roll', () => {
    const u = fm.series.unadjusted;
    for (const h of [1, 5, 20]) {
      const r = contractAwareReturns(u, h);
      let across = 0;
      for (let i = h; i < u.length; i++) {
        const sameContract = u.instrument_id[i] === u.instrument_id[i - h];
        if (!sameContract && r[i] !== null) across++;
        if (sameContract && r[i] === null) throw new Error(`missing return at ${i}`);
      }
      expect(across).toBe(0);
    }
  });

  it('days-before-expiry rule rolls the same contracts, within 8 days before the third-Friday expiry', () => {
    const byExpiry = buildFrontMonth(rec.columns, (i) => rec.symbol[i], { rule: 'days-before-expiry', daysBeforeExpiry: 8 });
    const pairs = (x: FrontMonth): string[] => x.rolls.map((r) => `${r.from_instrument_id}>${r.to_instrument_id}`);
    expect(pairs(byExpiry)).toEqual(pairs(fm));
    for (const r of byExpiry.rolls) {
      const from = byExpiry.contracts.find((c) => c.instrument_id === r.from_instrument_id)!;
      const rollDayNs = parseTimeNs(r.roll_date);
      expect(from.expiration - rollDayNs).toBeLessThanOrEqual(8n * 86_400_000_000_000n);
      expect(from.expiration - rollDayNs).toBeGreaterThan(0n);
    }
  });
});
