import { utcDate } from '../domain/time';
import { takeOhlcvColumns, type OhlcvColumns } from '../dbn/ohlcv-columns';
import { backAdjust, type RatioFactor } from './back-adjust';
import { cmeSessionOpenNs, cmeTradeDayNumber, dayNumber, dayNumberToDate } from './cme-session';
import { inferExpiryYear, parseFuturesSymbol, thirdFridayNs } from './futures-symbol';

export type RollRule = 'databento-continuous' | 'volume-crossover' | 'days-before-expiry';

export interface RollReference {
  /** the last bar before the switch at which both contracts traded */
  ts_event: bigint;
  from_close: bigint;
  to_close: bigint;
}

export interface Roll {
  series: string;
  /** UTC date (continuous) or CME trade date (front month) of the new contract's first bar in the series */
  roll_date: string;
  ts_event: bigint;
  from_instrument_id: number;
  to_instrument_id: number;
  from_symbol?: string;
  to_symbol?: string;
  rule: RollRule;
  /** front-month rolls only: the Panama/ratio reference */
  reference?: RollReference;
  /** to_close − from_close at the reference (Panama offset added to everything before this roll) */
  panama_gap?: bigint;
  /** front-month rolls: both contracts' volume in the session before the roll (what the decision saw) */
  from_volume?: bigint;
  to_volume?: bigint;
}

/**
 * Rolls of a Databento continuous series (`ZL.c.0`): a roll is wherever the instrument_id changes between two
 * consecutive rows. Databento's continuous prices are raw, so these are the seams a back-adjuster must bridge.
 */
export function detectContinuousRolls(columns: OhlcvColumns, series: string): Roll[] {
  const rolls: Roll[] = [];
  for (let i = 1; i < columns.length; i++) {
    const from = columns.instrument_id[i - 1];
    const to = columns.instrument_id[i];
    if (from === to) continue;
    rolls.push({
      series,
      roll_date: utcDate(columns.ts_event[i]),
      ts_event: columns.ts_event[i],
      from_instrument_id: from,
      to_instrument_id: to,
      rule: 'databento-continuous',
    });
  }
  return rolls;
}

export interface FrontMonthOptions {
  rule: 'volume-crossover' | 'days-before-expiry';
  /** series name written on rolls, e.g. `NQ.FUT front` */
  series?: string;
  /** volume-crossover: consecutive prior sessions the next contract must out-trade the current one (default 1) */
  confirmDays?: number;
  /** days-before-expiry: roll this many calendar days before expiry (default 8) */
  daysBeforeExpiry?: number;
  /** instrument_id → expiration ns (from definitions); otherwise the third Friday of the contract month */
  expirations?: Map<number, bigint>;
  /** instrument_id → definition instrument_class; anything but 'F' (e.g. 'S' spread) is never selected */
  instrumentClass?: Map<number, string>;
}

export interface FrontMonthContract {
  instrument_id: number;
  symbol: string;
  /** e.g. 2020 for NQH0 first seen in 2019 */
  expiry_year: number;
  expiry_month: number;
  /** ordering key: expiration ns (given or third Friday of the contract month) */
  expiration: bigint;
}

export interface FrontMonthSegment {
  instrument_id: number;
  symbol: string;
  first_trade_date: string;
  last_trade_date: string;
  /** [start, end): from the session open (17:00 CT eve) of the first trade date to that of the day after the last */
  start: bigint;
  end: bigint;
}

export interface FrontMonth {
  contracts: FrontMonthContract[];
  rolls: Roll[];
  segments: FrontMonthSegment[];
  series: {
    /** the chosen contract's own bars, untouched */
    unadjusted: OhlcvColumns;
    /** additive back-adjustment: newest segment raw, older ones shifted by the sum of later gaps */
    panama: OhlcvColumns;
    /** multiplicative back-adjustment, each price = round_half_away(raw × num/den) at 1e-9: exact rational factor */
    ratio: OhlcvColumns;
    /** segment index of each series row */
    segmentOfRow: Uint32Array;
    /** input row index of each series row */
    sourceRow: Uint32Array;
    panamaOffsets: bigint[];
    ratioFactors: RatioFactor[];
  };
}

export class FrontMonthError extends Error {
  override readonly name = 'FrontMonthError';
  readonly code = 'FRONT_MONTH_INVALID' as const;
  constructor(
    message: string,
    readonly reason: 'no_outrights' | 'no_common_bar' | 'non_positive_reference',
    readonly context: Record<string, string | number> = {},
  ) {
    super(message);
  }
}

/**
 * Builds a front-month series from per-contract bars of a parent request (e.g. NQ.FUT ohlcv-1h, raw symbols).
 *
 * - Only outrights: spreads (raw symbol with '-', or definition class other than 'F') are never selected.
 * - Contracts are ordered by expiration; a one-digit year is placed in the decade of the contract's first bar.
 * - No look-ahead: hourly volume is summed per contract per CME session (trade date); the contract for session D
 *   is chosen from sessions before D only. The first session in the data is warm-up and gets no contract.
 * - volume-crossover: switch to the next known expiry after the current one when its volume exceeded the current
 *   one's in each of the last `confirmDays` sessions; never roll back to an earlier expiry.
 * - days-before-expiry: the earliest known contract whose expiry is more than `daysBeforeExpiry` calendar days
 *   after D (and not earlier than the current one).
 */
export function buildFrontMonth(
  columns: OhlcvColumns,
  symbolOf: (i: number) => string,
  opts: FrontMonthOptions,
): FrontMonth {
  const series = opts.series ?? 'front-month';
  const confirmDays = Math.max(1, opts.confirmDays ?? 1);
  const n = columns.length;

  // Contracts (outrights only), keyed by instrument_id because raw symbols recur a decade apart.
  const contracts = new Map<number, FrontMonthContract>();
  const tradeDay = new Int32Array(n);
  const outright = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    tradeDay[i] = cmeTradeDayNumber(columns.ts_event[i]);
    const iid = columns.instrument_id[i];
    const known = contracts.get(iid);
    if (known) {
      outright[i] = 1;
      continue;
    }
    const cls = opts.instrumentClass?.get(iid);
    if (cls !== undefined && cls !== 'F') continue;
    const symbol = symbolOf(i);
    const parsed = parseFuturesSymbol(symbol);
    if (!parsed) continue;
    const expiryYear = inferExpiryYear(parsed.yearDigits, new Date(Number(columns.ts_event[i] / 1_000_000n)).getUTCFullYear());
    contracts.set(iid, {
      instrument_id: iid,
      symbol,
      expiry_year: expiryYear,
      expiry_month: parsed.month,
      expiration: opts.expirations?.get(iid) ?? thirdFridayNs(expiryYear, parsed.month),
    });
    outright[i] = 1;
  }
  if (contracts.size === 0) throw new FrontMonthError('no outright contracts among the bars', 'no_outrights');

  // Volume per session per contract, sessions in order.
  const sessionDays: number[] = [];
  const sessionVolume: Map<number, bigint>[] = [];
  const sessionIndexOfDay = new Map<number, number>();
  {
    const days = new Set<number>();
    for (let i = 0; i < n; i++) if (outright[i]) days.add(tradeDay[i]);
    for (const d of [...days].sort((a, b) => a - b)) {
      sessionIndexOfDay.set(d, sessionDays.length);
      sessionDays.push(d);
      sessionVolume.push(new Map());
    }
    for (let i = 0; i < n; i++) {
      if (!outright[i]) continue;
      const m = sessionVolume[sessionIndexOfDay.get(tradeDay[i])!];
      const iid = columns.instrument_id[i];
      m.set(iid, (m.get(iid) ?? 0n) + columns.volume[i]);
    }
  }

  const order = (iid: number): bigint => contracts.get(iid)!.expiration;
  const known: number[] = []; // contracts seen in sessions before the one being decided
  const knownSet = new Set<number>();
  const assigned = new Int32Array(sessionDays.length).fill(-1);
  let front = -1;
  const daysBefore = BigInt(opts.daysBeforeExpiry ?? 8) * 86_400_000_000_000n;

  for (let d = 0; d < sessionDays.length; d++) {
    if (d > 0) {
      if (opts.rule === 'volume-crossover') {
        const prev = sessionVolume[d - 1];
        if (front < 0) {
          let best = -1;
          let bestVol = -1n;
          for (const [iid, v] of prev) {
            if (best < 0 || v > bestVol || (v === bestVol && order(iid) < order(best))) {
              best = iid;
              bestVol = v;
            }
          }
          front = best;
        } else {
          let next = -1;
          for (const iid of known) {
            if (order(iid) > order(front) && (next < 0 || order(iid) < order(next))) next = iid;
          }
          if (next >= 0 && d >= confirmDays) {
            let wins = true;
            for (let k = 1; k <= confirmDays && wins; k++) {
              const v = sessionVolume[d - k];
              wins = (v.get(next) ?? 0n) > (v.get(front) ?? 0n);
            }
            if (wins) front = next;
          }
        }
      } else {
        const sessionNs = BigInt(sessionDays[d]) * 86_400_000_000_000n;
        let best = -1;
        for (const iid of known) {
          if (front >= 0 && order(iid) < order(front)) continue;
          if (order(iid) - daysBefore <= sessionNs) continue;
          if (best < 0 || order(iid) < order(best)) best = iid;
        }
        if (best >= 0) front = best;
      }
      assigned[d] = front;
    }
    for (const iid of sessionVolume[d].keys()) {
      if (!knownSet.has(iid)) {
        knownSet.add(iid);
        known.push(iid);
      }
    }
  }

  // Series rows: bars of the assigned contract in each session, in input order (sorted by ts_event).
  const rows: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!outright[i]) continue;
    const s = sessionIndexOfDay.get(tradeDay[i])!;
    if (assigned[s] === columns.instrument_id[i]) rows.push(i);
  }
  const segmentOfRow = new Uint32Array(rows.length);
  const segments: FrontMonthSegment[] = [];
  const segmentFirstRow: number[] = [];
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k];
    const iid = columns.instrument_id[i];
    const last = segments[segments.length - 1];
    if (!last || last.instrument_id !== iid) {
      const c = contracts.get(iid)!;
      segments.push({
        instrument_id: iid,
        symbol: c.symbol,
        first_trade_date: dayNumberToDate(tradeDay[i]),
        last_trade_date: dayNumberToDate(tradeDay[i]),
        start: cmeSessionOpenNs(dayNumberToDate(tradeDay[i])),
        end: 0n,
      });
      segmentFirstRow.push(i);
    } else {
      last.last_trade_date = dayNumberToDate(tradeDay[i]);
    }
    segmentOfRow[k] = segments.length - 1;
  }
  for (const s of segments) s.end = cmeSessionOpenNs(dayNumberToDate(dayNumber(s.last_trade_date) + 1));

  // Rolls with their Panama/ratio reference: last common bar of both contracts before the switch.
  const rowsOf = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    if (!outright[i]) continue;
    const iid = columns.instrument_id[i];
    let list = rowsOf.get(iid);
    if (!list) rowsOf.set(iid, (list = []));
    list.push(i);
  }
  const rolls: Roll[] = [];
  for (let j = 1; j < segments.length; j++) {
    const from = segments[j - 1];
    const to = segments[j];
    const switchTs = columns.ts_event[segmentFirstRow[j]];
    const ref = lastCommonBar(columns, rowsOf.get(from.instrument_id)!, rowsOf.get(to.instrument_id)!, switchTs);
    if (!ref) {
      throw new FrontMonthError(`no common bar of ${from.symbol} and ${to.symbol} before ${to.first_trade_date}`, 'no_common_bar', {
        from_instrument_id: from.instrument_id,
        to_instrument_id: to.instrument_id,
        roll_date: to.first_trade_date,
      });
    }
    const prior = sessionVolume[sessionIndexOfDay.get(tradeDay[segmentFirstRow[j]])! - 1];
    rolls.push({
      series,
      roll_date: to.first_trade_date,
      ts_event: switchTs,
      from_instrument_id: from.instrument_id,
      to_instrument_id: to.instrument_id,
      from_symbol: from.symbol,
      to_symbol: to.symbol,
      rule: opts.rule,
      reference: ref,
      panama_gap: ref.to_close - ref.from_close,
      from_volume: prior?.get(from.instrument_id) ?? 0n,
      to_volume: prior?.get(to.instrument_id) ?? 0n,
    });
  }

  const unadjusted = takeOhlcvColumns(columns, rows);
  const adjusted = backAdjust(unadjusted, segmentOfRow, rolls.map((r) => r.reference!));
  const sortedContracts = [...contracts.values()].sort((a, b) => (a.expiration < b.expiration ? -1 : a.expiration > b.expiration ? 1 : a.instrument_id - b.instrument_id));
  return {
    contracts: sortedContracts,
    rolls,
    segments,
    series: {
      unadjusted,
      panama: adjusted.panama,
      ratio: adjusted.ratio,
      segmentOfRow,
      sourceRow: Uint32Array.from(rows),
      panamaOffsets: adjusted.panamaOffsets,
      ratioFactors: adjusted.ratioFactors,
    },
  };
}

/** Walks both contracts' (ascending) rows backwards from `beforeTs` to their latest shared ts_event. */
function lastCommonBar(columns: OhlcvColumns, a: number[], b: number[], beforeTs: bigint): RollReference | null {
  let i = a.length - 1;
  let j = b.length - 1;
  while (i >= 0 && columns.ts_event[a[i]] >= beforeTs) i--;
  while (j >= 0 && columns.ts_event[b[j]] >= beforeTs) j--;
  while (i >= 0 && j >= 0) {
    const ta = columns.ts_event[a[i]];
    const tb = columns.ts_event[b[j]];
    if (ta === tb) return { ts_event: ta, from_close: columns.close[a[i]], to_close: columns.close[b[j]] };
    if (ta > tb) i--;
    else j--;
  }
  return null;
}
