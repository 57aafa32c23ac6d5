import type { OhlcvColumns } from '../dbn/ohlcv-columns';

export type ReturnKind = 'log' | 'simple';

export class ReturnHorizonError extends Error {
  override readonly name = 'ReturnHorizonError';
  readonly code = 'RETURN_HORIZON_INVALID' as const;
  constructor(readonly horizonBars: number) {
    super(`return horizon must be a positive integer number of bars, got ${horizonBars}`);
  }
}

/**
 * Close-to-close returns over `horizonBars` rows of ONE ordered series (e.g. ZL.c.0 daily, or a front-month
 * series), aligned to rows: value[i] is the return from row i−h to row i. It is null (missing) when i < h, when
 * rows i−h..i are not all the same instrument_id (a roll lies in between: the price jump is a contract switch,
 * not a market move), or, for log returns, when a close is ≤ 0. Floats are fine here: returns are statistics;
 * each close is converted to a double once (exact below 2^53 fixed-point units, i.e. prices < 9,007,199).
 */
export function contractAwareReturns(
  columns: OhlcvColumns,
  horizonBars: number,
  options: { kind?: ReturnKind } = {},
): (number | null)[] {
  if (!Number.isInteger(horizonBars) || horizonBars < 1) throw new ReturnHorizonError(horizonBars);
  const kind = options.kind ?? 'log';
  const n = columns.length;
  const out: (number | null)[] = new Array(n).fill(null);
  // segmentStart[i]: first row of the contiguous instrument_id run containing i.
  let segmentStart = 0;
  for (let i = 0; i < n; i++) {
    if (i > 0 && columns.instrument_id[i] !== columns.instrument_id[i - 1]) segmentStart = i;
    const j = i - horizonBars;
    if (j < segmentStart) continue;
    const a = columns.close[j];
    const b = columns.close[i];
    if (kind === 'log') {
      if (a <= 0n || b <= 0n) continue;
      out[i] = Math.log(Number(b) / Number(a));
    } else {
      if (a === 0n) continue;
      out[i] = Number(b - a) / Number(a);
    }
  }
  return out;
}
