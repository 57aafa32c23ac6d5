import { describe, expect, it } from 'vitest';
import { parseTimeNs } from '../domain/time';
import { splitRange } from './batch-jobs';
import { takeBodyFault, takeRequestFault, type FaultSwitches } from './faults';
import { forwardFilledEnd } from './request-params';
import { clipIntervals, coversSpan, deriveContinuousIntervals } from './symbology-index';

describe('forwardFilledEnd', () => {
  it('adds one unit of the start text precision (a date gives the next day, as the real API did)', () => {
    expect(forwardFilledEnd('2020-12-28', parseTimeNs('2020-12-28'))).toBe(parseTimeNs('2020-12-29'));
    expect(forwardFilledEnd('2020-12-28T13:00', parseTimeNs('2020-12-28T13:00'))).toBe(parseTimeNs('2020-12-28T13:01'));
    expect(forwardFilledEnd('1609113600000000000', 1609113600000000000n)).toBe(1609113600000000001n);
  });
});

describe('symbology intervals', () => {
  it('clips, checks coverage and derives continuous runs', () => {
    const ivs = [
      { d0: '2020-01-01', d1: '2020-03-01', s: '1' },
      { d0: '2020-03-01', d1: '2020-06-01', s: '2' },
    ];
    expect(clipIntervals(ivs, '2020-02-01', '2020-04-01')).toEqual([
      { d0: '2020-02-01', d1: '2020-03-01', s: '1' },
      { d0: '2020-03-01', d1: '2020-04-01', s: '2' },
    ]);
    expect(coversSpan(ivs, '2020-01-01', '2020-06-01')).toBe(true);
    expect(coversSpan(ivs, '2019-12-31', '2020-06-01')).toBe(false);
    const rows = [
      { instrumentId: 7, date: '2020-01-02' },
      { instrumentId: 7, date: '2020-01-03' },
      { instrumentId: 9, date: '2020-01-06' },
    ];
    expect(deriveContinuousIntervals(rows, '2020-01-01', '2020-02-01')).toEqual([
      { d0: '2020-01-01', d1: '2020-01-06', s: '7' },
      { d0: '2020-01-06', d1: '2020-02-01', s: '9' },
    ]);
  });
});

describe('splitRange', () => {
  it('splits by UTC month, clipped to the request', () => {
    const parts = splitRange(parseTimeNs('2025-10-15'), parseTimeNs('2025-12-02'), 'month');
    expect(parts.map((p) => [p.start, p.end])).toEqual([
      [parseTimeNs('2025-10-15'), parseTimeNs('2025-11-01')],
      [parseTimeNs('2025-11-01'), parseTimeNs('2025-12-01')],
      [parseTimeNs('2025-12-01'), parseTimeNs('2025-12-02')],
    ]);
  });
});

describe('fault switches', () => {
  it('count down and clear themselves; onlyPaths restricts them', () => {
    const f: FaultSwitches = { rateLimit: { count: 1, retryAfterSeconds: 2 }, onlyPaths: ['/v0/timeseries.get_range'] };
    expect(takeRequestFault(f, '/v0/metadata.get_cost')).toBeUndefined();
    expect(takeRequestFault(f, '/v0/timeseries.get_range')).toEqual({ kind: 'rateLimit', retryAfterSeconds: 2 });
    expect(takeRequestFault(f, '/v0/timeseries.get_range')).toBeUndefined();
    const g: FaultSwitches = { resetAfterBytes: { bytes: 10, count: 2 } };
    expect(takeBodyFault(g, '/v0/timeseries.get_range').resetAfterBytes).toBe(10);
    expect(g.resetAfterBytes?.count).toBe(1);
    takeBodyFault(g, '/v0/timeseries.get_range');
    expect(g.resetAfterBytes).toBeUndefined();
  });
});
