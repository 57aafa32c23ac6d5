import { beforeAll, describe, expect, it } from 'vitest';
import { contractAwareReturns, ReturnHorizonError } from '../../futures/returns';
import { detectContinuousRolls } from '../../futures/rolls';
import { readZlDaily, type OhlcvRecording } from '../../recordings';
import { marketDataDir } from '../support/market-data-dir';

describe('ZL.c.0 daily (real Databento continuous recording)', () => {
  let zl: OhlcvRecording;
  beforeAll(async () => {
    zl = await readZlDaily(marketDataDir());
  });

  it('has 129 rolls between 130 instrument_id segments, in date order', () => {
    const rolls = detectContinuousRolls(zl.columns, 'ZL.c.0');
    expect(rolls).toHaveLength(129);
    let segments = 1;
    for (let i = 1; i < zl.columns.length; i++) if (zl.columns.instrument_id[i] !== zl.columns.instrument_id[i - 1]) segments++;
    expect(segments).toBe(130);
    for (let k = 0; k < rolls.length; k++) {
      expect(rolls[k].from_instrument_id).not.toBe(rolls[k].to_instrument_id);
      expect(rolls[k].rule).toBe('databento-continuous');
      if (k > 0) expect(rolls[k].roll_date > rolls[k - 1].roll_date).toBe(true);
      if (k > 0) expect(rolls[k].from_instrument_id).toBe(rolls[k - 1].to_instrument_id);
    }
    expect(rolls[0].roll_date.startsWith('2010-')).toBe(true);
  });

  it('contract-aware returns never span two instrument_ids (horizons 1, 5, 20) and are complete otherwise', () => {
    const c = zl.columns;
    for (const h of [1, 5, 20]) {
      const r = contractAwareReturns(c, h);
      expect(r).toHaveLength(c.length);
      let present = 0;
      for (let i = 0; i < c.length; i++) {
        let oneContract = i >= h;
        for (let j = i - h; oneContract && j < i; j++) oneContract = c.instrument_id[j] === c.instrument_id[j + 1];
        if (!oneContract) {
          if (r[i] !== null) throw new Error(`h=${h}: return at row ${i} spans a roll`);
          continue;
        }
        const expected = Math.log(Number(c.close[i]) / Number(c.close[i - h]));
        if (r[i] !== expected) throw new Error(`h=${h}: row ${i} ${r[i]} != ${expected}`);
        present++;
      }
      // Each roll blanks h returns, so fewer survive at longer horizons.
      expect(present).toBe(c.length - 130 * h + countShortSegmentsCorrection(c.instrument_id, h));
    }
    expect(() => contractAwareReturns(c, 0)).toThrow(ReturnHorizonError);
  });
});

/** Segments shorter than h lose fewer than h returns (they have only `length` rows to lose). */
function countShortSegmentsCorrection(ids: Uint32Array, h: number): number {
  let correction = 0;
  let start = 0;
  for (let i = 1; i <= ids.length; i++) {
    if (i === ids.length || ids[i] !== ids[i - 1]) {
      const len = i - start;
      if (len < h) correction += h - len;
      start = i;
    }
  }
  return correction;
}
