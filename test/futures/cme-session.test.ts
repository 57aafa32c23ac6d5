import { describe, expect, it } from 'vitest';
import {
  chicagoUtcOffsetHours,
  cmeSessionOpenNs,
  cmeTradeDate,
  weekdaySessionsBetween,
  dayNumber,
} from '../../futures/cme-session';
import { parseTimeNs } from '../../domain/time';

const ts = (iso: string): bigint => parseTimeNs(iso);

// Calendar facts (US DST rules), not market data.
describe('CME Globex trade date (17:00–16:00 America/Chicago)', () => {
  it('switches to the next trade date at 17:00 CT, in summer (CDT, UTC−5) and winter (CST, UTC−6)', () => {
    expect(cmeTradeDate(ts('2025-07-15T21:59:59Z'))).toBe('2025-07-15'); // 16:59:59 CDT
    expect(cmeTradeDate(ts('2025-07-15T22:00:00Z'))).toBe('2025-07-16'); // 17:00 CDT
    expect(cmeTradeDate(ts('2025-01-15T22:30:00Z'))).toBe('2025-01-15'); // 16:30 CST
    expect(cmeTradeDate(ts('2025-01-15T23:00:00Z'))).toBe('2025-01-16'); // 17:00 CST
    expect(chicagoUtcOffsetHours(ts('2025-07-15T12:00:00Z'))).toBe(-5);
    expect(chicagoUtcOffsetHours(ts('2025-01-15T12:00:00Z'))).toBe(-6);
  });

  it('puts the Sunday-evening open into Monday, across the March DST change', () => {
    // DST began 2025-03-09 02:00 CST: Sunday 17:00 is already CDT (22:00Z).
    expect(cmeTradeDate(ts('2025-03-09T22:00:00Z'))).toBe('2025-03-10');
    expect(cmeTradeDate(ts('2025-03-09T21:00:00Z'))).toBe('2025-03-09');
    expect(cmeSessionOpenNs('2025-03-10')).toBe(ts('2025-03-09T22:00:00Z'));
    expect(cmeSessionOpenNs('2025-01-16')).toBe(ts('2025-01-15T23:00:00Z'));
    expect(cmeSessionOpenNs('2025-11-03')).toBe(ts('2025-11-02T23:00:00Z')); // DST ended that morning
  });

  it('counts weekday sessions between trade dates, skipping weekends and given holidays', () => {
    const fri = dayNumber('2025-12-19');
    const wed = dayNumber('2025-12-24');
    expect(weekdaySessionsBetween(fri, wed)).toBe(2); // Mon 22, Tue 23
    expect(weekdaySessionsBetween(fri, wed, new Set(['2025-12-22']))).toBe(1);
    expect(weekdaySessionsBetween(dayNumber('2025-12-24'), dayNumber('2025-12-26'))).toBe(1); // Christmas
  });
});
