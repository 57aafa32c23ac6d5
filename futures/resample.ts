import { z } from 'zod';
import { OHLCV_INTERVAL_NS, ohlcvSchemaSchema, type OhlcvSchema } from '../domain/databento-enums';
import { allocOhlcvColumns, type OhlcvColumns } from '../dbn/ohlcv-columns';
import { cmeTradeDateNs } from './cme-session';

/** Targets: fixed UTC-aligned intervals, the UTC calendar day, or the CME Globex session (17:00–16:00 CT). */
export const RESAMPLE_TARGETS = ['5m', '15m', '30m', '1h', 'utc-1d', 'session-1d'] as const;
export type ResampleTarget = (typeof RESAMPLE_TARGETS)[number];

const NS_PER_MIN = 60_000_000_000n;
const TARGET_INTERVAL_NS: Record<Exclude<ResampleTarget, 'session-1d'>, bigint> = {
  '5m': 5n * NS_PER_MIN,
  '15m': 15n * NS_PER_MIN,
  '30m': 30n * NS_PER_MIN,
  '1h': 60n * NS_PER_MIN,
  'utc-1d': 1440n * NS_PER_MIN,
};

/**
 * rtype written on output bars. No dbn rtype exists for 5/15/30-minute bars: they keep 0x21 (the ohlcv-1m family
 * they are built from — read the interval from the request, not the rtype). 1h → 0x22, UTC day → 0x23 (dbn: "based
 * on the UTC date"), CME session → 0x24 (dbn OHLCV_EOD: "based on the end of the trading session").
 */
export const RESAMPLE_RTYPE: Record<ResampleTarget, number> = {
  '5m': 0x21,
  '15m': 0x21,
  '30m': 0x21,
  '1h': 0x22,
  'utc-1d': 0x23,
  'session-1d': 0x24,
};

export const resampleOptionsSchema = z.object({
  from: z.union([ohlcvSchemaSchema, z.bigint().positive()]),
  to: z.enum(RESAMPLE_TARGETS),
});
export type ResampleOptions = { from: OhlcvSchema | bigint; to: ResampleTarget };

/** The source interval does not tile the target (e.g. 1h → 15m, or 1d → session-1d). */
export class ResampleIntervalError extends Error {
  override readonly name = 'ResampleIntervalError';
  readonly code = 'RESAMPLE_INTERVAL_INVALID' as const;
  constructor(
    readonly fromNs: bigint,
    readonly to: ResampleTarget,
  ) {
    super(`cannot resample ${fromNs}ns bars to ${to}: the source interval must divide the target interval`);
  }
}

/**
 * Aggregates bars per instrument into coarser bars: open first, high max, low min, close last, volume sum (exact
 * bigint). Empty intervals emit no bar (like Databento). Output ts_event is the interval start; for `session-1d` it
 * is the CME trade date at 00:00Z (the session itself opened 17:00 CT the evening before). Output is sorted by
 * ts_event then instrument_id. Input order does not matter; within an instrument, bars are ordered by ts_event.
 */
export function resampleOhlcv(columns: OhlcvColumns, options: ResampleOptions): OhlcvColumns {
  const opts = resampleOptionsSchema.parse(options);
  const fromNs = typeof opts.from === 'bigint' ? opts.from : OHLCV_INTERVAL_NS[opts.from];
  // CME sessions open/close on the hour (CT offsets are whole hours), so a divisor of 1h tiles them.
  const targetNs = opts.to === 'session-1d' ? TARGET_INTERVAL_NS['1h'] : TARGET_INTERVAL_NS[opts.to];
  if (fromNs > targetNs || targetNs % fromNs !== 0n) throw new ResampleIntervalError(fromNs, opts.to);

  const n = columns.length;
  const bucket = new BigUint64Array(n);
  if (opts.to === 'session-1d') {
    for (let i = 0; i < n; i++) bucket[i] = BigInt.asUintN(64, cmeTradeDateNs(columns.ts_event[i]));
  } else {
    for (let i = 0; i < n; i++) {
      const ts = columns.ts_event[i];
      bucket[i] = ts - (ts % targetNs);
    }
  }

  const order = Array.from({ length: n }, (_, i) => i);
  const iid = columns.instrument_id;
  const ts = columns.ts_event;
  order.sort((a, b) => {
    if (bucket[a] !== bucket[b]) return bucket[a] < bucket[b] ? -1 : 1;
    if (iid[a] !== iid[b]) return iid[a] - iid[b];
    return ts[a] < ts[b] ? -1 : ts[a] > ts[b] ? 1 : 0;
  });

  // First pass counts groups so the output is allocated once.
  let groups = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k];
    if (k === 0) {
      groups++;
      continue;
    }
    const p = order[k - 1];
    if (bucket[i] !== bucket[p] || iid[i] !== iid[p]) groups++;
  }

  const out = allocOhlcvColumns(groups);
  const rtype = RESAMPLE_RTYPE[opts.to];
  let g = -1;
  for (let k = 0; k < n; k++) {
    const i = order[k];
    const p = k > 0 ? order[k - 1] : -1;
    if (p < 0 || bucket[i] !== bucket[p] || iid[i] !== iid[p]) {
      g++;
      out.rtype[g] = rtype;
      out.publisher_id[g] = columns.publisher_id[i];
      out.instrument_id[g] = iid[i];
      out.ts_event[g] = bucket[i];
      out.open[g] = columns.open[i];
      out.high[g] = columns.high[i];
      out.low[g] = columns.low[i];
      out.close[g] = columns.close[i];
      out.volume[g] = columns.volume[i];
      continue;
    }
    if (columns.high[i] > out.high[g]) out.high[g] = columns.high[i];
    if (columns.low[i] < out.low[g]) out.low[g] = columns.low[i];
    out.close[g] = columns.close[i];
    out.volume[g] += columns.volume[i];
  }
  return out;
}
