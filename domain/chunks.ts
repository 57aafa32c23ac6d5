import { isoSeconds, parseTimeNs } from './time';

const compact = (iso: string) => {
  const day = iso.slice(0, 10).replaceAll('-', '');
  const time = iso.slice(11, 19).replaceAll(':', '');
  return time === '000000' ? day : `${day}T${time}`;
};

/**
 * The chunk id of `[start, end)` inside the half-year `halfYear` (`2026H2`): the half-year's id when the range is the
 * whole half-year, else the id with the range (`2026H2.20260701-20260812`). Ids are exact: two different ranges
 * never share an id, so a stored file or a ledger row found by id answers exactly that range.
 */
export function chunkIdFor(halfYear: string, start: string, end: string): string {
  const [year, half] = [Number(halfYear.slice(0, 4)), halfYear.endsWith('H1') ? 1 : 2];
  const fullStart = isoSeconds(BigInt(Date.UTC(year, half === 1 ? 0 : 6, 1)) * 1_000_000n);
  const fullEnd = isoSeconds(BigInt(half === 1 ? Date.UTC(year, 6, 1) : Date.UTC(year + 1, 0, 1)) * 1_000_000n);
  if (start === fullStart && end === fullEnd) return halfYear;
  return `${halfYear}.${compact(start)}-${compact(end)}`;
}

/** One slice of a request within a half-year: `[Jan 1, Jul 1)` or `[Jul 1, Jan 1)` UTC, or part of one. */
export interface ChunkPlan {
  /** `2010H1` for a whole half-year, `2010H1.20100606-20100701` for part of one (chunkIdFor) */
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
      chunks.push({ id: chunkIdFor(`${year}H${half}`, isoSeconds(cs), isoSeconds(ce)), start: isoSeconds(cs), end: isoSeconds(ce) });
    }
  }
}
