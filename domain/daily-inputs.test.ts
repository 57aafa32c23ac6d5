import { describe, expect, it } from 'vitest';
import { seriesKeySchema, validateRecentInputSchema } from './daily-inputs';

const key = { dataset: 'GLBX.MDP3', schema: 'ohlcv-1d', symbol: 'ZL.c.0', stypeIn: 'continuous' };

describe('seriesKeySchema: the same symbol rule as backfills', () => {
  it.each(['ZL.c.0', 'ES.FUT', 'ESZ5', 'ESM4 C3550', 'ESH5-ESM5', 'ALL_SYMBOLS'])('accepts %j', (symbol) => {
    expect(seriesKeySchema.safeParse({ ...key, symbol }).success).toBe(true);
  });

  it.each(["ZL'; DROP TABLE bars; --", '../ZL.c.0', 'ZŁ.c.0', 'ES/NQ', ' ZL.c.0'])('rejects %j, naming the field', (symbol) => {
    const r = validateRecentInputSchema.safeParse({ series: [{ ...key, symbol }] });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toEqual(['series.0.symbol']);
  });

  it('rejects a dataset that is not a dataset code', () => {
    expect(seriesKeySchema.safeParse({ ...key, dataset: '../GLBX.MDP3' }).success).toBe(false);
  });
});
