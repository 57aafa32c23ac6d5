/** Columnar OHLCV bars: one typed array per dbn field, prices i64 at 1e-9, timestamps u64 ns. */
export interface OhlcvColumns {
  length: number;
  rtype: Uint8Array;
  publisher_id: Uint16Array;
  instrument_id: Uint32Array;
  ts_event: BigUint64Array;
  open: BigInt64Array;
  high: BigInt64Array;
  low: BigInt64Array;
  close: BigInt64Array;
  volume: BigUint64Array;
}

export const OHLCV_COLUMN_NAMES = [
  'rtype',
  'publisher_id',
  'instrument_id',
  'ts_event',
  'open',
  'high',
  'low',
  'close',
  'volume',
] as const;

export function allocOhlcvColumns(n: number): OhlcvColumns {
  return {
    length: n,
    rtype: new Uint8Array(n),
    publisher_id: new Uint16Array(n),
    instrument_id: new Uint32Array(n),
    ts_event: new BigUint64Array(n),
    open: new BigInt64Array(n),
    high: new BigInt64Array(n),
    low: new BigInt64Array(n),
    close: new BigInt64Array(n),
    volume: new BigUint64Array(n),
  };
}

/** Rows [start, end) as views sharing memory with `c` (no copy). */
export function sliceOhlcvColumns(c: OhlcvColumns, start: number, end: number = c.length): OhlcvColumns {
  const s = Math.max(0, Math.min(start, c.length));
  const e = Math.max(s, Math.min(end, c.length));
  return {
    length: e - s,
    rtype: c.rtype.subarray(s, e),
    publisher_id: c.publisher_id.subarray(s, e),
    instrument_id: c.instrument_id.subarray(s, e),
    ts_event: c.ts_event.subarray(s, e),
    open: c.open.subarray(s, e),
    high: c.high.subarray(s, e),
    low: c.low.subarray(s, e),
    close: c.close.subarray(s, e),
    volume: c.volume.subarray(s, e),
  };
}

/** New columns holding the parts' rows in order. */
export function concatOhlcvColumns(parts: readonly OhlcvColumns[]): OhlcvColumns {
  const n = parts.reduce((sum, p) => sum + p.length, 0);
  const out = allocOhlcvColumns(n);
  let at = 0;
  for (const p of parts) {
    for (const name of OHLCV_COLUMN_NAMES) {
      (out[name] as Uint8Array).set((p[name] as Uint8Array).subarray(0, p.length), at);
    }
    at += p.length;
  }
  return out;
}

/** Copies row `i` of `from` into row `k` of `to`. */
export function copyOhlcvRow(to: OhlcvColumns, k: number, from: OhlcvColumns, i: number): void {
  to.rtype[k] = from.rtype[i];
  to.publisher_id[k] = from.publisher_id[i];
  to.instrument_id[k] = from.instrument_id[i];
  to.ts_event[k] = from.ts_event[i];
  to.open[k] = from.open[i];
  to.high[k] = from.high[i];
  to.low[k] = from.low[i];
  to.close[k] = from.close[i];
  to.volume[k] = from.volume[i];
}

/** New columns with the rows at `indices`, in that order. */
export function takeOhlcvColumns(c: OhlcvColumns, indices: ArrayLike<number>): OhlcvColumns {
  const out = allocOhlcvColumns(indices.length);
  for (let k = 0; k < indices.length; k++) copyOhlcvRow(out, k, c, indices[k]);
  return out;
}
