import { allocOhlcvColumns, type OhlcvColumns } from '../dbn/ohlcv-columns';

/** Exact multiplicative factor num/den (den > 0), reduced. */
export interface RatioFactor {
  num: bigint;
  den: bigint;
}

/** Roll reference prices: both contracts' close at the same bar before the switch. */
export interface RollPriceReference {
  from_close: bigint;
  to_close: bigint;
}

export class BackAdjustError extends Error {
  override readonly name = 'BackAdjustError';
  readonly code = 'BACK_ADJUST_INVALID' as const;
  constructor(
    message: string,
    readonly rollIndex: number,
  ) {
    super(message);
  }
}

const abs = (x: bigint): bigint => (x < 0n ? -x : x);
function gcd(a: bigint, b: bigint): bigint {
  a = abs(a);
  b = abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Typed arrays wrap silently on overflow; an adjusted price outside i64 is an error, not a wrapped value. */
function i64(v: bigint, rollIndex: number): bigint {
  if (BigInt.asIntN(64, v) !== v) throw new BackAdjustError(`adjusted price ${v} overflows i64`, rollIndex);
  return v;
}

/** a/b rounded half away from zero (b > 0): the single rounding step of a ratio adjustment. */
export function divRoundHalfAway(a: bigint, b: bigint): bigint {
  const q = a / b;
  const r = a % b;
  if (2n * abs(r) >= b) return q + (a < 0n ? -1n : 1n);
  return q;
}

/**
 * Panama and ratio back-adjustment of a series made of contiguous segments (segment k+1 follows roll k).
 * Panama: offset_j = Σ gap_k over rolls after segment j, gap_k = to_close − from_close; exact bigint, so the
 * adjusted old close at each roll's reference bar equals the new contract's close there (zero gap).
 * Ratio: factor_j = Π to_close/from_close over later rolls kept as an exact reduced fraction; each adjusted price
 * is rounded once (half away from zero) to 1e-9. Needs positive reference prices. Volume is never changed.
 */
export function backAdjust(
  series: OhlcvColumns,
  segmentOfRow: Uint32Array,
  references: readonly RollPriceReference[],
): { panama: OhlcvColumns; ratio: OhlcvColumns; panamaOffsets: bigint[]; ratioFactors: RatioFactor[] } {
  const segments = references.length + 1;
  const panamaOffsets = new Array<bigint>(segments).fill(0n);
  const ratioFactors: RatioFactor[] = new Array(segments);
  ratioFactors[segments - 1] = { num: 1n, den: 1n };
  for (let j = segments - 2; j >= 0; j--) {
    const ref = references[j];
    panamaOffsets[j] = panamaOffsets[j + 1] + (ref.to_close - ref.from_close);
    if (ref.from_close <= 0n || ref.to_close <= 0n) {
      throw new BackAdjustError(`ratio adjustment needs positive reference closes at roll ${j}`, j);
    }
    const next = ratioFactors[j + 1];
    const num = next.num * ref.to_close;
    const den = next.den * ref.from_close;
    const g = gcd(num, den);
    ratioFactors[j] = { num: num / g, den: den / g };
  }

  const panama = allocOhlcvColumns(series.length);
  const ratio = allocOhlcvColumns(series.length);
  for (const out of [panama, ratio]) {
    out.rtype.set(series.rtype);
    out.publisher_id.set(series.publisher_id);
    out.instrument_id.set(series.instrument_id);
    out.ts_event.set(series.ts_event);
    out.volume.set(series.volume);
  }
  for (let i = 0; i < series.length; i++) {
    const s = segmentOfRow[i];
    const off = panamaOffsets[s];
    const { num, den } = ratioFactors[s];
    panama.open[i] = i64(series.open[i] + off, s);
    panama.high[i] = i64(series.high[i] + off, s);
    panama.low[i] = i64(series.low[i] + off, s);
    panama.close[i] = i64(series.close[i] + off, s);
    if (den === 1n && num === 1n) {
      ratio.open[i] = series.open[i];
      ratio.high[i] = series.high[i];
      ratio.low[i] = series.low[i];
      ratio.close[i] = series.close[i];
    } else {
      ratio.open[i] = i64(divRoundHalfAway(series.open[i] * num, den), s);
      ratio.high[i] = i64(divRoundHalfAway(series.high[i] * num, den), s);
      ratio.low[i] = i64(divRoundHalfAway(series.low[i] * num, den), s);
      ratio.close[i] = i64(divRoundHalfAway(series.close[i] * num, den), s);
    }
  }
  return { panama, ratio, panamaOffsets, ratioFactors };
}
