/**
 * Every column of `training.daily_ml_matrix`: how it is computed, from what, and with which lag.
 * `docs/feature-catalog.md` is generated from this list (test/features/feature-catalog-doc.test.ts).
 *
 * Conventions: a row is dated D and describes the state at D's close. Returns are natural-log returns of
 * closes. "Roll-aware" means a return between two bars of different instrument_ids (a ZL.c.0 roll) is never
 * used: it is a contract switch, not a market move.
 */
export interface CatalogEntry {
  column: string;
  kind: 'id' | 'feature' | 'target';
  formula: string;
  inputs: string[];
  /** what information the value uses, relative to the row's date D */
  lag: string;
}

export const CROSS_ASSET_ROOTS = ['ZS', 'ZM', 'CL', 'HO', 'ZC', 'ZW'] as const;
export type CrossAssetRoot = (typeof CROSS_ASSET_ROOTS)[number];

/** FRED inputs: column, series, days an observation waits before use, days after which it is too stale. */
export const FRED_FEATURES = [
  { column: 'fred_dgs10', series: ['DGS10'], what: '10-year Treasury constant-maturity yield, percent' },
  { column: 'fred_slope_10y_2y', series: ['DGS10', 'DGS2'], what: 'DGS10 − DGS2, percentage points' },
  { column: 'fred_vix', series: ['VIXCLS'], what: 'CBOE VIX close, index points' },
  { column: 'fred_vxv_vix', series: ['VXVCLS', 'VIXCLS'], what: 'VXVCLS / VIXCLS (3-month over 1-month implied vol)' },
  { column: 'fred_dollar_broad', series: ['DTWEXBGS'], what: 'nominal broad US dollar index (Jan 2006 = 100)' },
  { column: 'fred_brl', series: ['DEXBZUS'], what: 'Brazilian reals per USD' },
  { column: 'fred_cny', series: ['DEXCHUS'], what: 'Chinese yuan per USD' },
  { column: 'fred_jpy', series: ['DEXJPUS'], what: 'Japanese yen per USD' },
  { column: 'fred_eur', series: ['DEXUSEU'], what: 'USD per euro' },
  { column: 'fred_wti', series: ['DCOILWTICO'], what: 'WTI spot, USD/bbl' },
  { column: 'fred_breakeven_10y', series: ['T10YIE'], what: '10-year breakeven inflation, percent' },
  { column: 'fred_nfci', series: ['NFCI'], what: 'Chicago Fed National Financial Conditions Index' },
] as const;

/**
 * When an observation dated O may be used for a row dated D: O + lagDays < D and D − O ≤ maxAgeDays.
 * Daily series: O < D (the previous business day or earlier). NFCI is dated the Friday of its week but published
 * the next Wednesday, so it waits 4 more days. Older values than maxAgeDays are treated as missing
 * (some recordings end before ZL's, e.g. DEXCHUS in 2025-09).
 */
export const FRED_AVAILABILITY: Record<string, { lagDays: number; maxAgeDays: number }> = {
  NFCI: { lagDays: 4, maxAgeDays: 14 },
};
export const FRED_DEFAULT_AVAILABILITY = { lagDays: 0, maxAgeDays: 10 };

export const FRED_SERIES_USED = [...new Set(FRED_FEATURES.flatMap((f) => [...f.series]))].sort();

/** Bars of a cross asset older than this (calendar days) are not used for a ZL date. */
export const CROSS_ASSET_MAX_AGE_DAYS = 4;
/** The longest lookback in bars; the matrix starts at the first ZL bar with this many prior bars. */
export const LONGEST_LOOKBACK_BARS = 60;
export const RVOL_ANNUALISE = Math.sqrt(252);

/** Minimum usable (within-contract) daily returns in an n-bar window: more than half of them. */
export const minValidReturns = (n: number): number => Math.floor(n / 2) + 1;

const zl = 'ZL.c.0 ohlcv-1d';

export const FEATURE_CATALOG: CatalogEntry[] = [
  { column: 'date', kind: 'id', formula: 'trading date of the ZL.c.0 daily bar (UTC date of ts_event)', inputs: [zl], lag: 'D' },
  { column: 'instrument_id', kind: 'id', formula: 'instrument_id of the ZL.c.0 bar (changes at each roll)', inputs: [zl], lag: 'D' },
  { column: 'close', kind: 'id', formula: 'ZL close, exact decimal (US cents/lb)', inputs: [zl], lag: 'D' },
  { column: 'volume', kind: 'id', formula: 'ZL volume (contracts)', inputs: [zl], lag: 'D' },
  ...[1, 5, 20].map<CatalogEntry>((h) => ({
    column: `zl_ret_${h}`,
    kind: 'feature',
    formula: `ln(close[D] / close[D−${h} bars]); null when the ${h} bars span a roll`,
    inputs: [zl],
    lag: `D and ${h} bars back`,
  })),
  ...[5, 20, 60].map<CatalogEntry>((n) => ({
    column: `zl_rvol_${n}`,
    kind: 'feature',
    formula: `sample std of the within-contract daily log returns among the last ${n} × √252; returns across a roll are excluded; null with fewer than ${minValidReturns(n)} usable returns`,
    inputs: [zl],
    lag: `D and ${n} bars back`,
  })),
  ...[20, 60].map<CatalogEntry>((n) => ({
    column: `zl_mom_${n}`,
    kind: 'feature',
    formula: `sum of the within-contract daily log returns among the last ${n} (a ratio back-adjusted ${n}-bar return); null with fewer than ${minValidReturns(n)} usable returns`,
    inputs: [zl],
    lag: `D and ${n} bars back`,
  })),
  ...[20, 60].map<CatalogEntry>((n) => ({
    column: `zl_dist_ma_${n}`,
    kind: 'feature',
    formula: `a[D] − mean(a over the last ${n} bars), where a is the log price path over the window rebuilt from within-contract returns (ratio back-adjusted, rolls contribute 0)`,
    inputs: [zl],
    lag: `D and ${n - 1} bars back`,
  })),
  {
    column: 'zl_volume_z_20',
    kind: 'feature',
    formula: '(ln(1+volume[D]) − mean) / sample std of ln(1+volume) over the last 20 bars including D; log because thin Sunday/holiday rows are tiny',
    inputs: [zl],
    lag: 'D and 19 bars back',
  },
  ...CROSS_ASSET_ROOTS.flatMap((root) =>
    [1, 5, 20].map<CatalogEntry>((h) => ({
      column: `${root.toLowerCase()}_ret_${h}`,
      kind: 'feature',
      formula: `${root} front-month continuous (${root}.c.0/.n.0/.v.0): ln(close/close ${h} bars back) on its latest bar dated ≤ D (and ≥ D−${CROSS_ASSET_MAX_AGE_DAYS} days); null across its rolls or when ${root} is not in the warehouse`,
      inputs: [`${root} continuous ohlcv-1d`],
      lag: 'D (same-day close) and back',
    })),
  ),
  {
    column: 'zl_cl_log_ratio',
    kind: 'feature',
    formula: 'ln(ZL close [cents/lb] / CL close [USD/bbl]) on the CL bar used for cl_ret_*',
    inputs: [zl, 'CL continuous ohlcv-1d'],
    lag: 'D',
  },
  {
    column: 'board_crush',
    kind: 'feature',
    formula: '0.022 × ZM [USD/short ton] + 0.11 × ZL [cents/lb] − ZS [cents/bu] / 100, USD/bu; only when ZS, ZM and ZL all exist',
    inputs: [zl, 'ZS continuous ohlcv-1d', 'ZM continuous ohlcv-1d'],
    lag: 'D',
  },
  ...FRED_FEATURES.map<CatalogEntry>((f) => {
    const avail = FRED_AVAILABILITY[f.series[0]] ?? FRED_DEFAULT_AVAILABILITY;
    return {
      column: f.column,
      kind: 'feature',
      formula: `${f.what}; each input as of its latest non-missing observation O with O + ${avail.lagDays} < D, missing if D − O > ${avail.maxAgeDays} days`,
      inputs: f.series.map((s) => `FRED ${s}`),
      lag: avail.lagDays === 0 ? 'previous observation before D (no same-day value)' : `observation dated before D − ${avail.lagDays} days (publication lag)`,
    };
  }),
  ...[5, 20].map<CatalogEntry>((h) => ({
    column: `target_ret_fwd_${h}`,
    kind: 'target',
    formula: `ln(close[D+${h} bars] / close[D]); null when the forward window spans a roll or runs past the data`,
    inputs: [zl],
    lag: `LEAD: known only at the close of D+${h} bars`,
  })),
];

export const FEATURE_COLUMNS = FEATURE_CATALOG.filter((e) => e.kind === 'feature').map((e) => e.column);
export const TARGET_COLUMNS = FEATURE_CATALOG.filter((e) => e.kind === 'target').map((e) => e.column);
