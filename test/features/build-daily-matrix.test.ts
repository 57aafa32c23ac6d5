import { beforeAll, describe, expect, it } from 'vitest';
import { buildDailyMatrix, type MatrixInput, type MatrixRow } from '../../features/build-daily-matrix';
import { FEATURE_COLUMNS, LONGEST_LOOKBACK_BARS, TARGET_COLUMNS } from '../../features/feature-catalog';
import { recordedMatrixInput, truncateMatrixInput as truncateInput } from '../../features/recorded-matrix-input';
import { marketDataDir } from '../support/market-data-dir';

const dayNo = (d: string) => Date.parse(`${d}T00:00:00Z`) / 86_400_000;

describe('buildDailyMatrix on the real ZL.c.0 2010–2026, CL 2024 and FRED recordings', () => {
  let input: MatrixInput;
  let rows: MatrixRow[];
  beforeAll(async () => {
    input = await recordedMatrixInput(marketDataDir());
    rows = buildDailyMatrix(input);
  });

  it('has one row per ZL trading date from the 61st bar (first date with a full 60-bar lookback)', () => {
    expect(input.zl).toHaveLength(4062);
    expect(rows).toHaveLength(4062 - LONGEST_LOOKBACK_BARS);
    expect(rows.map((r) => r.date)).toEqual(input.zl.slice(LONGEST_LOOKBACK_BARS).map((b) => b.date));
    expect(rows[0].date).toBe(input.zl[60].date);
    expect(rows.at(-1)?.date).toBe('2026-08-10');
  });

  it('never lets a return or target span a roll (two instrument_ids)', () => {
    const bars = input.zl;
    const off = LONGEST_LOOKBACK_BARS;
    let rollsSeen = 0;
    rows.forEach((r, k) => {
      const i = k + off;
      for (const h of [1, 5, 20]) {
        const crosses = bars[i - h].instrument_id !== bars[i].instrument_id;
        if (crosses) expect(r[`zl_ret_${h}`]).toBeNull();
        else expect(r[`zl_ret_${h}`]).toBeCloseTo(Math.log(Number(bars[i].close) / Number(bars[i - h].close)), 14);
      }
      for (const h of [5, 20]) {
        const t = r[`target_ret_fwd_${h}`];
        if (i + h >= bars.length || bars[i + h].instrument_id !== bars[i].instrument_id) expect(t).toBeNull();
        else expect(t).toBeCloseTo(Math.log(Number(bars[i + h].close) / Number(bars[i].close)), 14);
      }
      if (bars[i - 1].instrument_id !== bars[i].instrument_id) rollsSeen++;
    });
    expect(rollsSeen).toBeGreaterThan(100);
  });

  it('uses FRED values strictly before D (NFCI 4 days more), and the latest such observation', () => {
    const dgs10 = input.fred.DGS10.filter((p) => p.value !== null);
    const nfci = input.fred.NFCI.filter((p) => p.value !== null);
    let checked = 0;
    for (const r of rows.filter((_, k) => k % 97 === 0)) {
      const prev = dgs10.filter((p) => p.date < r.date).at(-1);
      const expected = prev && dayNo(r.date) - dayNo(prev.date) <= 10 ? prev.value : null;
      expect(r.fred_dgs10).toBe(expected);
      const prevN = nfci.filter((p) => dayNo(p.date) + 4 < dayNo(r.date)).at(-1);
      expect(r.fred_nfci).toBe(prevN && dayNo(r.date) - dayNo(prevN.date) <= 14 ? prevN.value : null);
      checked++;
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('fills CL features only in 2024 (the only CL recording) and leaves absent roots null', () => {
    const withCl = rows.filter((r) => r.cl_ret_1 !== null || r.zl_cl_log_ratio !== null);
    expect(withCl.length).toBeGreaterThan(200);
    for (const r of withCl) expect(r.date >= '2024-01-01' && r.date <= '2025-01-04').toBe(true);
    for (const r of rows) for (const c of ['zs_ret_1', 'zm_ret_1', 'ho_ret_1', 'zc_ret_1', 'zw_ret_1', 'board_crush']) expect(r[c]).toBeNull();
  });

  it.each(['2015-03-31', '2020-06-30', '2024-01-31'])('NO LOOK-AHEAD: inputs truncated at %s reproduce every earlier row exactly', (t) => {
    const cut = buildDailyMatrix(truncateInput(input, t));
    const full = new Map(rows.map((r) => [r.date, r]));
    expect(cut.length).toBeGreaterThan(1000);
    expect(cut.at(-1)!.date <= t).toBe(true);
    const lastIdx = cut.length - 1;
    const mismatches: string[] = [];
    cut.forEach((r, k) => {
      const f = full.get(r.date);
      if (!f) return void mismatches.push(`${r.date}: not in the full build`);
      for (const c of ['date', 'instrument_id', 'close', 'volume', ...FEATURE_COLUMNS]) {
        if (!Object.is(r[c], f[c])) mismatches.push(`${r.date} ${c}: ${String(r[c])} vs ${String(f[c])}`);
      }
      // targets: equal wherever the truncated data already reaches h bars ahead, else unknown (null)
      for (const [h, c] of [[5, TARGET_COLUMNS[0]], [20, TARGET_COLUMNS[1]]] as const) {
        const want = k + h <= lastIdx ? f[c] : null;
        if (!Object.is(r[c], want)) mismatches.push(`${r.date} ${c}: ${String(r[c])} vs ${String(want)}`);
      }
    });
    expect(mismatches).toEqual([]);
  });
});
