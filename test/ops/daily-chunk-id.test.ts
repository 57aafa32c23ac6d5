import { describe, expect, it } from 'vitest';
import { dailyChunkId, lastCompleteDayEnd } from '../../domain/daily-chunks';
import { planHalfYearChunks } from '../../domain/chunks';

describe('daily slices: ledger keys and the last complete UTC day', () => {
  it('a whole half-year keeps the backfill id; a partial one encodes its range', () => {
    const [h2] = planHalfYearChunks('2026-07-01', '2027-01-01');
    expect(dailyChunkId(h2)).toBe('2026H2');
    const [partial] = planHalfYearChunks('2026-07-01', '2026-08-12');
    expect(dailyChunkId(partial)).toBe('2026H2.20260701-20260812');
    const [intraday] = planHalfYearChunks('2026-01-05T13:00:00Z', '2026-01-06');
    expect(dailyChunkId(intraday)).toBe('2026H1.20260105T130000-20260106');
  });

  it('a longer slice of the same half-year gets a different id (never reuses the shorter stored file)', () => {
    const ids = ['2026-08-05', '2026-08-06'].map((end) => dailyChunkId(planHalfYearChunks('2026-07-01', end)[0]));
    expect(new Set(ids).size).toBe(2);
  });

  it('the range ends at 00:00 UTC of today: today\'s bar is not complete yet', () => {
    expect(lastCompleteDayEnd(Date.parse('2026-11-21T10:04:02Z'))).toBe('2026-11-21T00:00:00Z');
    expect(lastCompleteDayEnd(Date.parse('2026-11-21T00:00:00Z'))).toBe('2026-11-21T00:00:00Z');
    expect(lastCompleteDayEnd(Date.parse('2026-11-20T23:59:59.999Z'))).toBe('2026-11-20T00:00:00Z');
  });
});
