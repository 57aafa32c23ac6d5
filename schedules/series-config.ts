import type { SeriesKey } from '../domain/series';

/**
 * The series the daily schedules keep current (they replace the Cloud Scheduler jobs `databento_zl_price`
 * and `databento_other_symbols`). Changing this file and running `schedules apply` updates the schedules' actions.
 */
export const DAILY_SERIES = {
  /** the forecast target */
  'zl-price': [{ dataset: 'GLBX.MDP3', schema: 'ohlcv-1d', symbol: 'ZL.c.0', stypeIn: 'continuous' }],
  /** cross-asset inputs of the feature matrix */
  'other-symbols': [
    { dataset: 'GLBX.MDP3', schema: 'ohlcv-1d', symbol: 'CL.n.0', stypeIn: 'continuous' },
    { dataset: 'GLBX.MDP3', schema: 'ohlcv-1h', symbol: 'NQ.FUT', stypeIn: 'parent' },
  ],
} as const satisfies Record<string, readonly SeriesKey[]>;

export type DailySeriesSetName = keyof typeof DAILY_SERIES;

export function dailySeries(name: DailySeriesSetName): SeriesKey[] {
  return DAILY_SERIES[name].map((s) => ({ ...s }));
}

/** Spend a scheduled run may make without a person; above it the run fails (see workflows/daily-ingest.ts). */
export const DAILY_MAX_COST_USD = 5;
