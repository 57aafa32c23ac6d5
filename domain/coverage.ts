import { type ChunkPlan, chunkIdFor, planHalfYearChunks } from './chunks';
import { isoSeconds, parseTimeNs } from './time';

/** `[start, end)`, ISO 8601 or integer nanoseconds. */
export interface Span {
  start: string;
  end: string;
}

interface NsSpan {
  start: bigint;
  end: bigint;
}

/** The union of spans as disjoint, sorted nanosecond intervals (touching ones joined). */
export function unionOf(spans: readonly Span[]): NsSpan[] {
  const sorted = spans
    .map((s) => ({ start: parseTimeNs(s.start), end: parseTimeNs(s.end) }))
    .filter((s) => s.start < s.end)
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: NsSpan[] = [];
  for (const s of sorted) {
    const last = out.at(-1);
    if (last && s.start <= last.end) last.end = s.end > last.end ? s.end : last.end;
    else out.push({ ...s });
  }
  return out;
}

/** The parts of `span` that no interval of `union` (disjoint, sorted) covers. */
function gapsIn(span: NsSpan, union: readonly NsSpan[]): NsSpan[] {
  const gaps: NsSpan[] = [];
  let at = span.start;
  for (const u of union) {
    if (u.end <= at) continue;
    if (u.start >= span.end) break;
    if (u.start > at) gaps.push({ start: at, end: u.start });
    at = u.end > at ? u.end : at;
    if (at >= span.end) break;
  }
  if (at < span.end) gaps.push({ start: at, end: span.end });
  return gaps;
}

export interface CoveragePlan {
  /** the sub-ranges not covered yet, in order, each within one half-year (its id encodes a partial range) */
  toFetch: ChunkPlan[];
  /** the half-year slices of the request that are covered entirely */
  covered: ChunkPlan[];
}

/**
 * Plans a request as the gaps between what is asked (`[start, end)`, clipped to `available`) and what is covered
 * already: a wider request than before fetches only the missing sub-ranges, a narrower one nothing, and the next
 * day of a series is the gap after its last covered end. Pure and deterministic.
 */
export function planUncovered(start: string, end: string, covered: readonly Span[], available?: Span): CoveragePlan {
  const union = unionOf(covered);
  const plan: CoveragePlan = { toFetch: [], covered: [] };
  for (const slice of planHalfYearChunks(start, end, available)) {
    const gaps = gapsIn({ start: parseTimeNs(slice.start), end: parseTimeNs(slice.end) }, union);
    if (!gaps.length) plan.covered.push(slice);
    const halfYear = slice.id.slice(0, 6);
    for (const g of gaps) plan.toFetch.push({ id: chunkIdFor(halfYear, isoSeconds(g.start), isoSeconds(g.end)), start: isoSeconds(g.start), end: isoSeconds(g.end) });
  }
  return plan;
}
