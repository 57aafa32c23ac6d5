import { describe, expect, it } from 'vitest';
import { lastCompleteDayEnd } from './daily-chunks';
import { planHalfYearChunks } from './chunks';

describe('chunk ids and the last complete UTC day', () => {
  it('a whole half-year is its id; a part of one encodes its range', () => {
    expect(planHalfYearChunks('2026-07-01', '2027-01-01').map((c) => c.id)).toEqual(['2026H2']);
    expect(planHalfYearChunks('2026-07-01', '2026-08-12').map((c) => c.id)).toEqual(['2026H2.20260701-20260812']);
    expect(planHalfYearChunks('2026-01-05T13:00:00Z', '2026-01-06').map((c) => c.id)).toEqual(['2026H1.20260105T130000-20260106']);
    expect(planHalfYearChunks('2010-06-06', '2011-01-01').map((c) => c.id)).toEqual(['2010H1.20100606-20100701', '2010H2']);
  });

  it('two different ranges of one half-year never share an id (a stored file answers exactly its range)', () => {
    const ids = ['2026-08-05', '2026-08-06'].map((end) => planHalfYearChunks('2026-07-01', end)[0].id);
    expect(new Set(ids).size).toBe(2);
  });

  it("the range ends at 00:00 UTC of today: today's bar is not complete yet", () => {
    expect(lastCompleteDayEnd(Date.parse('2026-11-21T10:04:02Z'))).toBe('2026-11-21T00:00:00Z');
    expect(lastCompleteDayEnd(Date.parse('2026-11-21T00:00:00Z'))).toBe('2026-11-21T00:00:00Z');
    expect(lastCompleteDayEnd(Date.parse('2026-11-20T23:59:59.999Z'))).toBe('2026-11-20T00:00:00Z');
  });
});
