import { describe, expect, it } from 'vitest';
import { planUncovered, unionOf } from './coverage';

const ids = (plans: { id: string }[]) => plans.map((p) => p.id);

describe('coverage: a request planned as the gaps in what is loaded', () => {
  it('fetches a whole request when nothing is covered', () => {
    const plan = planUncovered('2025-01-01', '2026-01-01', []);
    expect(ids(plan.toFetch)).toEqual(['2025H1', '2025H2']);
    expect(plan.covered).toEqual([]);
  });

  it('a wider request after a narrow one fetches only the missing sub-ranges', () => {
    const plan = planUncovered('2025-01-01', '2025-07-01', [{ start: '2025-03-02', end: '2025-03-05' }]);
    expect(plan.toFetch).toEqual([
      { id: '2025H1.20250101-20250302', start: '2025-01-01T00:00:00Z', end: '2025-03-02T00:00:00Z' },
      { id: '2025H1.20250305-20250701', start: '2025-03-05T00:00:00Z', end: '2025-07-01T00:00:00Z' },
    ]);
  });

  it('a narrower request inside what is covered fetches nothing', () => {
    const plan = planUncovered('2025-03-02', '2025-03-05', [{ start: '2025-01-01', end: '2025-07-01' }]);
    expect(plan.toFetch).toEqual([]);
    expect(ids(plan.covered)).toEqual(['2025H1.20250302-20250305']);
  });

  it('one more day after a backfill that ended a day early is one day', () => {
    const plan = planUncovered('2025-01-01', '2026-01-01', [
      { start: '2025-01-01', end: '2025-07-01' },
      { start: '2025-07-01', end: '2025-12-31' },
    ]);
    expect(plan.toFetch).toEqual([{ id: '2025H2.20251231-20260101', start: '2025-12-31T00:00:00Z', end: '2026-01-01T00:00:00Z' }]);
    expect(ids(plan.covered)).toEqual(['2025H1']);
  });

  it('joins overlapping and touching spans, in any order, and ignores empty ones', () => {
    const union = unionOf([
      { start: '2025-02-01', end: '2025-03-01' },
      { start: '2025-01-01', end: '2025-02-01' },
      { start: '2025-01-15', end: '2025-01-20' },
      { start: '2025-05-01', end: '2025-05-01' },
    ]);
    expect(union).toHaveLength(1);
    expect(planUncovered('2025-01-01', '2025-04-01', [{ start: '2025-02-01', end: '2025-03-01' }, { start: '2025-01-01', end: '2025-02-01' }]).toFetch).toEqual([
      { id: '2025H1.20250301-20250401', start: '2025-03-01T00:00:00Z', end: '2025-04-01T00:00:00Z' },
    ]);
  });

  it('works in nanoseconds: covered to the second leaves the rest of the day', () => {
    const plan = planUncovered('2025-03-02', '2025-03-03', [{ start: '2025-03-02', end: '2025-03-02T13:30:00Z' }]);
    expect(ids(plan.toFetch)).toEqual(['2025H1.20250302T133000-20250303']);
  });
});
