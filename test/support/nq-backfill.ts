import type { BackfillInput } from '../../domain/series';

/** A backfill of the recorded NQ.FUT hourly bars (parent symbol: every contract), budget well above the gateway's prices, no features. */
export const nqHourlyBackfill = (start: string, end: string) =>
  ({
    dataset: 'GLBX.MDP3',
    schemas: ['ohlcv-1h'],
    symbols: ['NQ.FUT'],
    stypeIn: 'parent',
    start,
    end,
    maxCostUsd: 100,
    buildFeatures: false,
  }) satisfies BackfillInput;
