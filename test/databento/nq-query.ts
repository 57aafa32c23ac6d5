/** The whole NQ.FUT parent ohlcv-1h recording: first bar 2010-06-06T22:00Z, last 2025-12-31T21:00Z (end is exclusive). */
export const NQ_1H = {
  dataset: 'GLBX.MDP3',
  symbols: ['NQ.FUT'],
  stypeIn: 'parent' as const,
  schema: 'ohlcv-1h' as const,
  start: '2010-06-06',
  end: '2026-01-01',
};
export const NQ_1H_RECORDS = 228_911;
