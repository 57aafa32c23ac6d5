import { isoSeconds, parseTimeNs } from './time';

/** One half-year slice of a request: `[Jan 1, Jul 1)` or `[Jul 1, Jan 1)` UTC, clipped to the request. */
export interface ChunkPlan {
  /** e.g. `2010H1` */
  id: string;
  /** inclusive, ISO seconds UTC */
  start: string;
  /** exclusive, ISO seconds UTC */
  end: string;
}

/**
 * Plans the half-year chunks covering `[start, end)`, optionally clipped to the dataset's available range.
 * Pure and deterministic: workflows call it.
 */
export function planHalfYearChunks(
  start: string,
  end: string,
  available?: { start: string; end: string },
): ChunkPlan[] {
  let s = parseTimeNs(start);
  let e = parseTimeNs(end);
  if (available) {
    const as = parseTimeNs(available.start);
    const ae = parseTimeNs(available.end);
    if (as > s) s = as;
    if (ae < e) e = ae;
  }
  const chunks: ChunkPlan[] = [];
  if (s >= e) return chunks;
  const startYear = new Date(Number(s / 1_000_000n)).getUTCFullYear();
  for (let year = startYear; ; year++) {
    for (const half of [1, 2] as const) {
      const hs = BigInt(Date.UTC(year, half === 1 ? 0 : 6, 1)) * 1_000_000n;
      const he = BigInt(half === 1 ? Date.UTC(year, 6, 1) : Date.UTC(year + 1, 0, 1)) * 1_000_000n;
      if (he <= s) continue;
      if (hs >= e) return chunks;
      const cs = hs > s ? hs : s;
      const ce = he < e ? he : e;
      chunks.push({ id: `${year}H${half}`, start: isoSeconds(cs), end: isoSeconds(ce) });
    }
  }
}
