/** One resolution interval, Databento style: UTC dates `[d0, d1)` and the output symbol `s`. */
export interface MappingInterval {
  d0: string;
  d1: string;
  s: string;
}

const DAY_MS = 86_400_000;
const NS_PER_DAY = 86_400_000_000_000n;

/** Days since 1970-01-01 of a `YYYY-MM-DD` date. */
export function dayNumber(date: string): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

export function dateOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** UTC day number containing a UNIX-ns timestamp. */
export function dayOfNs(ns: bigint): number {
  return Number(ns / NS_PER_DAY);
}

/** The UTC dates touched by `[start, end)`: `[date(start), date(end - 1) + 1)`. */
export function dateSpan(start: bigint, end: bigint): { d0: string; d1: string } {
  const d0 = dayOfNs(start);
  const d1 = end > start ? dayOfNs(end - 1n) + 1 : d0;
  return { d0: dateOfDay(d0), d1: dateOfDay(d1) };
}

/** Intervals clipped to `[d0, d1)`; empty ones dropped. */
export function clipIntervals(intervals: readonly MappingInterval[], d0: string, d1: string): MappingInterval[] {
  const out: MappingInterval[] = [];
  for (const iv of intervals) {
    const a = iv.d0 > d0 ? iv.d0 : d0;
    const b = iv.d1 < d1 ? iv.d1 : d1;
    if (a < b) out.push({ d0: a, d1: b, s: iv.s });
  }
  return out;
}

/** True when the intervals leave no date of `[d0, d1)` uncovered. */
export function coversSpan(intervals: readonly MappingInterval[], d0: string, d1: string): boolean {
  const sorted = [...intervals].sort((x, y) => (x.d0 < y.d0 ? -1 : x.d0 > y.d0 ? 1 : 0));
  let at = d0;
  for (const iv of sorted) {
    if (iv.d0 > at) return false;
    if (iv.d1 > at) at = iv.d1;
    if (at >= d1) return true;
  }
  return at >= d1;
}

/**
 * Continuous-symbol intervals derived from a recording of that symbol: each run of one
 * instrument_id spans from its first bar's date to the next run's first date; the first run starts at
 * `availableStart` and the last ends at `availableEnd` (the recording's range), as Databento maps
 * every date of a continuous symbol, traded or not.
 */
export function deriveContinuousIntervals(
  rows: { instrumentId: number; date: string }[],
  availableStart: string,
  availableEnd: string,
): MappingInterval[] {
  const out: MappingInterval[] = [];
  for (const r of rows) {
    const last = out[out.length - 1];
    if (last && last.s === String(r.instrumentId)) continue;
    if (last) last.d1 = r.date;
    out.push({ d0: out.length === 0 ? availableStart : r.date, d1: availableEnd, s: String(r.instrumentId) });
  }
  return out;
}
