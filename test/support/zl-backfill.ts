import type { BackfillInput } from '../../domain/series';

/** The backfill most tests run: the recorded ZL.c.0 daily bars, budget well above the gateway's prices, no features. */
export const zlBackfill = (start: string, end: string, extra: Partial<BackfillInput> = {}): BackfillInput => ({
  dataset: 'GLBX.MDP3',
  schemas: ['ohlcv-1d'],
  symbols: ['ZL.c.0'],
  stypeIn: 'continuous',
  start,
  end,
  maxCostUsd: 100,
  buildFeatures: false,
  ...extra,
});

/** The whole ZL.c.0 recording: 4,062 bars in 34 half-year chunks. */
export const ZL_FULL = zlBackfill('2010-06-06', '2026-08-12');
