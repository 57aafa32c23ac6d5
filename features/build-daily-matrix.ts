import { allocOhlcvColumns, type OhlcvColumns } from '../dbn/ohlcv-columns';
import { fixedToDecimal } from '../warehouse/row-values';
import { contractAwareReturns } from '../futures/returns';
import {
  CROSS_ASSET_MAX_AGE_DAYS,
  CROSS_ASSET_ROOTS,
  FEATURE_COLUMNS,
  FRED_AVAILABILITY,
  FRED_DEFAULT_AVAILABILITY,
  LONGEST_LOOKBACK_BARS,
  RVOL_ANNUALISE,
  minValidReturns,
} from './feature-catalog';
import { dayNumberOf, mean, sampleStd } from './window-stats';

/** One daily bar of a continuous futures series; close is fixed-point at 1e-9 (as in DBN). */
export interface DailyBar {
  date: string;
  instrument_id: number;
  close: bigint;
  volume: bigint;
}

export interface FredPoint {
  date: string;
  value: number | null;
}

export interface MatrixInput {
  /** ZL.c.0 daily bars in date order */
  zl: DailyBar[];
  /** other roots' continuous front-month bars, keyed by root (ZS, ZM, CL, HO, ZC, ZW) */
  crossAssets: Record<string, DailyBar[]>;
  /** FRED observations keyed by series id, in date order */
  fred: Record<string, FredPoint[]>;
}

export interface MatrixRow {
  date: string;
  instrument_id: number;
  /** exact decimal text */
  close: string;
  volume: bigint;
  /** feature and target columns (see FEATURE_CATALOG); null when not computable without look-ahead */
  [column: string]: string | number | bigint | null;
}

export class MatrixInputError extends Error {
  override readonly name = 'MatrixInputError';
  readonly code = 'FEATURES_BAD_INPUT';
  readonly retryable = false;
  constructor(
    message: string,
    readonly series: string,
    readonly date: string,
  ) {
    super(message);
  }
}

function checkOrdered(bars: DailyBar[], series: string): void {
  for (let i = 1; i < bars.length; i++) {
    if (bars[i].date <= bars[i - 1].date) {
      throw new MatrixInputError(`${series} bars not in strictly increasing date order at ${bars[i].date}`, series, bars[i].date);
    }
  }
}

function toColumns(bars: DailyBar[]): OhlcvColumns {
  const c = allocOhlcvColumns(bars.length);
  bars.forEach((b, i) => {
    c.instrument_id[i] = b.instrument_id;
    c.close[i] = b.close;
  });
  return c;
}

/** Within-contract daily log returns among rows i−n+1..i (a return at row k spans k−1..k). */
function windowReturns(daily: (number | null)[], i: number, n: number): number[] {
  const out: number[] = [];
  for (let k = i - n + 1; k <= i; k++) {
    const r = daily[k];
    if (r !== null && r !== undefined) out.push(r);
  }
  return out;
}

/** Log price path over rows i−n+1..i rebuilt from within-contract returns (rolls contribute 0), starting at 0. */
function adjustedLogPath(daily: (number | null)[], i: number, n: number): number[] {
  const path = [0];
  for (let k = i - n + 2; k <= i; k++) path.push(path[path.length - 1] + (daily[k] ?? 0));
  return path;
}

/** For each target date, the index of the latest source row usable at that date (or -1). */
function asOfIndex(targetDays: number[], sourceDays: number[], usable: (sourceDay: number, targetDay: number) => boolean, tooOld: (sourceDay: number, targetDay: number) => boolean): number[] {
  const out: number[] = [];
  let j = -1;
  for (const d of targetDays) {
    while (j + 1 < sourceDays.length && usable(sourceDays[j + 1], d)) j++;
    out.push(j >= 0 && !tooOld(sourceDays[j], d) ? j : -1);
  }
  return out;
}

/** A cross asset's bars and returns, with `idx[i]` its bar as of ZL row i (-1: none recent enough). */
interface CrossAsset {
  idx: number[];
  bars: DailyBar[];
  ret: Record<1 | 5 | 20, (number | null)[]>;
}

/** Cross assets: returns on their own bars, then as-of joined onto ZL dates. */
function crossAssetsAsOf(crossAssets: MatrixInput['crossAssets'], zlDays: number[]): Record<string, CrossAsset> {
  const cross: Record<string, CrossAsset> = {};
  for (const root of CROSS_ASSET_ROOTS) {
    const bars = crossAssets[root];
    if (!bars?.length) continue;
    checkOrdered(bars, root);
    const c = toColumns(bars);
    const days = bars.map((b) => dayNumberOf(b.date));
    cross[root] = {
      bars,
      ret: { 1: contractAwareReturns(c, 1), 5: contractAwareReturns(c, 5), 20: contractAwareReturns(c, 20) },
      idx: asOfIndex(zlDays, days, (s, d) => s <= d, (s, d) => d - s > CROSS_ASSET_MAX_AGE_DAYS),
    };
  }
  return cross;
}

/** FRED as of each ZL row: non-missing observations only; availability rule per series. */
function fredAsOf(fred: MatrixInput['fred'], zlDays: number[]): Record<string, (number | null)[]> {
  const fredAt: Record<string, (number | null)[]> = {};
  for (const [series, points] of Object.entries(fred)) {
    const obs = points.filter((p): p is { date: string; value: number } => p.value !== null && Number.isFinite(p.value));
    for (let i = 1; i < obs.length; i++) {
      if (obs[i].date <= obs[i - 1].date) throw new MatrixInputError(`FRED ${series} not in date order at ${obs[i].date}`, series, obs[i].date);
    }
    const { lagDays, maxAgeDays } = FRED_AVAILABILITY[series] ?? FRED_DEFAULT_AVAILABILITY;
    const idx = asOfIndex(
      zlDays,
      obs.map((o) => dayNumberOf(o.date)),
      (s, d) => s + lagDays < d,
      (s, d) => d - s > maxAgeDays,
    );
    fredAt[series] = idx.map((j) => (j >= 0 ? obs[j].value : null));
  }
  return fredAt;
}

/**
 * The ZL daily feature matrix: one row per ZL.c.0 bar from the first bar with LONGEST_LOOKBACK_BARS bars
 * before it (so every 60-bar window is full). A row dated D uses only bars dated ≤ D and FRED observations
 * dated < D (see FEATURE_CATALOG); only the target_* columns look forward.
 */
export function buildDailyMatrix(input: MatrixInput): MatrixRow[] {
  const zl = input.zl;
  checkOrdered(zl, 'ZL');
  const n = zl.length;
  const cols = toColumns(zl);
  const daily = contractAwareReturns(cols, 1);
  const ret = { 1: daily, 5: contractAwareReturns(cols, 5), 20: contractAwareReturns(cols, 20) } as const;
  const logVol = zl.map((b) => Math.log1p(Number(b.volume)));
  const zlDays = zl.map((b) => dayNumberOf(b.date));

  const cross = crossAssetsAsOf(input.crossAssets, zlDays);
  const fredAt = fredAsOf(input.fred, zlDays);
  const fred = (series: string, i: number): number | null => fredAt[series]?.[i] ?? null;

  const rows: MatrixRow[] = [];
  for (let i = LONGEST_LOOKBACK_BARS; i < n; i++) {
    const bar = zl[i];
    const row: MatrixRow = { date: bar.date, instrument_id: bar.instrument_id, close: fixedToDecimal(bar.close), volume: bar.volume };
    for (const c of FEATURE_COLUMNS) row[c] = null;

    row.zl_ret_1 = ret[1][i];
    row.zl_ret_5 = ret[5][i];
    row.zl_ret_20 = ret[20][i];
    for (const w of [5, 20, 60]) {
      const rs = windowReturns(daily, i, w);
      const sd = rs.length >= minValidReturns(w) ? sampleStd(rs) : null;
      row[`zl_rvol_${w}`] = sd === null ? null : sd * RVOL_ANNUALISE;
    }
    for (const w of [20, 60]) {
      const rs = windowReturns(daily, i, w);
      row[`zl_mom_${w}`] = rs.length >= minValidReturns(w) ? rs.reduce((s, r) => s + r, 0) : null;
      const p = adjustedLogPath(daily, i, w);
      row[`zl_dist_ma_${w}`] = p[p.length - 1] - mean(p);
    }
    const lv = logVol.slice(i - 19, i + 1);
    const sdv = sampleStd(lv);
    row.zl_volume_z_20 = sdv === null || sdv === 0 ? null : (lv[lv.length - 1] - mean(lv)) / sdv;

    const closeOf = (root: string): number | null => {
      const c = cross[root];
      const j = c?.idx[i] ?? -1;
      return j >= 0 ? Number(c.bars[j].close) / 1e9 : null;
    };
    for (const [root, c] of Object.entries(cross)) {
      const j = c.idx[i];
      if (j < 0) continue;
      for (const h of [1, 5, 20] as const) row[`${root.toLowerCase()}_ret_${h}`] = c.ret[h][j];
    }
    const zlClose = Number(bar.close) / 1e9;
    const cl = closeOf('CL');
    if (cl !== null && cl > 0 && zlClose > 0) row.zl_cl_log_ratio = Math.log(zlClose / cl);
    const zs = closeOf('ZS');
    const zm = closeOf('ZM');
    if (zs !== null && zm !== null) row.board_crush = 0.022 * zm + 0.11 * zlClose - zs / 100;

    const dgs10 = fred('DGS10', i);
    const dgs2 = fred('DGS2', i);
    const vix = fred('VIXCLS', i);
    const vxv = fred('VXVCLS', i);
    row.fred_dgs10 = dgs10;
    row.fred_slope_10y_2y = dgs10 !== null && dgs2 !== null ? dgs10 - dgs2 : null;
    row.fred_vix = vix;
    row.fred_vxv_vix = vxv !== null && vix !== null && vix > 0 ? vxv / vix : null;
    row.fred_dollar_broad = fred('DTWEXBGS', i);
    row.fred_brl = fred('DEXBZUS', i);
    row.fred_cny = fred('DEXCHUS', i);
    row.fred_jpy = fred('DEXJPUS', i);
    row.fred_eur = fred('DEXUSEU', i);
    row.fred_wti = fred('DCOILWTICO', i);
    row.fred_breakeven_10y = fred('T10YIE', i);
    row.fred_nfci = fred('NFCI', i);

    // targets: the forward return is the backward return of the row h bars ahead
    row.target_ret_fwd_5 = i + 5 < n ? ret[5][i + 5] : null;
    row.target_ret_fwd_20 = i + 20 < n ? ret[20][i + 20] : null;
    rows.push(row);
  }
  return rows;
}
