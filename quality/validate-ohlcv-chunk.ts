import { OHLCV_INTERVAL_NS, OHLCV_RTYPE, type OhlcvSchema } from '../domain/databento-enums';
import { formatTsNs } from '../domain/time';
import type { OhlcvColumns } from '../dbn/ohlcv-columns';
import { UNDEF_PRICE } from '../dbn/price';
import { cmeTradeDayNumber, weekdaySessionsBetween } from '../futures/cme-session';
import type { RuleExample, RuleId, RuleResult, ValidationReport } from './validation-report';

const U64_UNDEF = 18446744073709551615n;
const NS_PER_DAY = 86_400_000_000_000n;
const MAX_EXAMPLES = 5;

export interface ValidateOhlcvOptions {
  /** turn single rules off (all on by default; symbol-unmapped only runs when symbolFor is given) */
  disable?: readonly RuleId[];
  /** volume above this is treated as corrupt (default 10^12 contracts in one bar: orders beyond any real bar) */
  maxVolume?: bigint;
  returnOutlier?: {
    /** rolling window of previous log returns per instrument (default 100 bars) */
    window?: number;
    /** returns needed in the window before anything is flagged (default 30) */
    minObservations?: number;
    /** flag |r − mean| > k·σ (default 8: hourly index futures have fat tails; this is for corrupt-looking jumps) */
    k?: number;
  };
  gap?: {
    /**
     * Weekday sessions (Mon–Fri trade dates, minus calendar holidays) allowed to pass with no bar between two
     * consecutive bars (default 1). Weekends never count; one weekday holiday (Christmas, New Year, Good Friday,
     * Thanksgiving-week halts) is normal, so only two or more missing weekday sessions are flagged.
     */
    maxMissedSessions?: number;
    /**
     * Per-series gaps (series = symbolFor(i) when given, else instrument_id) are checked only for series with at
     * least this share of the busiest series' bar count (default 0.5): deferred months and spreads legitimately go days without a trade, and bars exist
     * only for intervals with trades. The whole chunk's timeline (any instrument) is always checked.
     */
    minShareOfBusiest?: number;
  };
}

export interface ValidateOhlcvInput {
  columns: OhlcvColumns;
  schema: OhlcvSchema;
  /** chunk range in UNIX ns, [start, end) */
  start: bigint;
  end: bigint;
  /** symbol of row i on its date, or null when unmapped (from metadata mappings / symbology) */
  symbolFor?: (i: number) => string | null;
  /** trade dates (`YYYY-MM-DD`) with no session, e.g. exchange holidays; they never count as missed */
  calendar?: { holidays?: readonly string[] };
  options?: ValidateOhlcvOptions;
}

const DESCRIPTIONS: Record<RuleId, { severity: 'error' | 'warning'; description: string }> = {
  'rtype-mismatch': { severity: 'error', description: 'rtype matches the schema (0x20 1s, 0x21 1m, 0x22 1h, 0x23 1d)' },
  'ts-outside-range': { severity: 'error', description: 'ts_event lies inside the chunk range [start, end)' },
  'ts-misaligned': { severity: 'error', description: 'ts_event is a multiple of the bar interval (bars are stamped at their start)' },
  'order-per-instrument': { severity: 'error', description: 'ts_event strictly increases per instrument_id' },
  'duplicate-key': { severity: 'error', description: 'no two bars share (instrument_id, ts_event)' },
  'price-undefined': { severity: 'error', description: 'no open/high/low/close is UNDEF_PRICE (i64::MAX)' },
  'high-below-low': { severity: 'error', description: 'low <= high' },
  'open-outside-range': { severity: 'error', description: 'low <= open <= high' },
  'close-outside-range': { severity: 'error', description: 'low <= close <= high' },
  'volume-invalid': { severity: 'error', description: 'volume is not UNDEF (u64::MAX) and not above maxVolume' },
  'symbol-unmapped': { severity: 'error', description: "every row's instrument_id maps to a symbol on its date" },
  'return-outlier': { severity: 'warning', description: '|log close-to-close return| within k·σ of the rolling window, per instrument' },
  'zero-volume': { severity: 'warning', description: 'bars are built from trades, so volume > 0' },
  'gap-unusual': { severity: 'warning', description: 'no more than maxMissedSessions weekday CME sessions without a bar (chunk-wide, and per liquid instrument)' },
};

class RuleTally {
  count = 0;
  examples: RuleExample[] = [];
  constructor(readonly id: RuleId) {}
  hit(columns: OhlcvColumns, index: number, detail: string): void {
    this.count++;
    if (this.examples.length < MAX_EXAMPLES) {
      this.examples.push({
        index,
        instrument_id: columns.instrument_id[index],
        ts_event: formatTsNs(columns.ts_event[index]),
        detail,
      });
    }
  }
  result(): RuleResult {
    return { id: this.id, ...DESCRIPTIONS[this.id], count: this.count, examples: this.examples };
  }
}

interface InstrumentState {
  lastTs: bigint;
  lastClose: bigint;
  lastDay: number;
  seen: Set<bigint> | null;
  bars: number;
  returns: Float64Array;
  rCount: number;
  rSum: number;
  rSumSq: number;
}

const px = (v: bigint): string => {
  const neg = v < 0n;
  const m = neg ? -v : v;
  return `${neg ? '-' : ''}${m / 1_000_000_000n}.${(m % 1_000_000_000n).toString().padStart(9, '0')}`;
};

/**
 * Validates one chunk of OHLCV bars. Structural, OHLC and symbology rules are errors (ok=false: quarantine, load
 * nothing); market-sanity rules are warnings. Pure and deterministic; O(n) apart from the per-instrument maps.
 */
export function validateOhlcvChunk(input: ValidateOhlcvInput): ValidationReport {
  const { columns, schema, start, end, symbolFor } = input;
  const o = input.options ?? {};
  const disabled = new Set<RuleId>(o.disable ?? []);
  if (!symbolFor) disabled.add('symbol-unmapped');
  const maxVolume = o.maxVolume ?? 1_000_000_000_000n;
  const window = o.returnOutlier?.window ?? 100;
  const minObs = o.returnOutlier?.minObservations ?? 30;
  const k = o.returnOutlier?.k ?? 8;
  const maxMissed = o.gap?.maxMissedSessions ?? 1;
  const minShare = o.gap?.minShareOfBusiest ?? 0.5;
  const holidays = new Set(input.calendar?.holidays ?? []);
  const interval = OHLCV_INTERVAL_NS[schema];
  const expectedRtype = OHLCV_RTYPE[schema];
  // Daily bars are UTC dates; intraday bars belong to CME sessions.
  const dayOf = schema === 'ohlcv-1d' ? (ts: bigint) => Number(ts / NS_PER_DAY) : cmeTradeDayNumber;

  const tallies = new Map<RuleId, RuleTally>();
  const t = (id: RuleId): RuleTally | null => {
    if (disabled.has(id)) return null;
    let tally = tallies.get(id);
    if (!tally) tallies.set(id, (tally = new RuleTally(id)));
    return tally;
  };
  for (const id of Object.keys(DESCRIPTIONS) as RuleId[]) t(id);
  const rule = (id: RuleId): RuleTally | null => tallies.get(id) ?? null;

  const states = new Map<number, InstrumentState>();
  const n = columns.length;
  const rRtype = rule('rtype-mismatch');
  const rRange = rule('ts-outside-range');
  const rAlign = rule('ts-misaligned');
  const rOrder = rule('order-per-instrument');
  const rDup = rule('duplicate-key');
  const rUndef = rule('price-undefined');
  const rHL = rule('high-below-low');
  const rOpen = rule('open-outside-range');
  const rClose = rule('close-outside-range');
  const rVol = rule('volume-invalid');
  const rSym = rule('symbol-unmapped');
  const rRet = rule('return-outlier');
  const rZero = rule('zero-volume');
  const rGap = rule('gap-unusual');

  let chunkLastTs = -1n;
  const chunkGapRows = new Set<number>();
  let chunkLastDay = 0;
  const dayOfRow = new Int32Array(n);

  for (let i = 0; i < n; i++) {
    const ts = columns.ts_event[i];
    const iid = columns.instrument_id[i];
    const day = dayOf(ts);
    dayOfRow[i] = day;
    if (rRtype && columns.rtype[i] !== expectedRtype) {
      rRtype.hit(columns, i, `rtype ${columns.rtype[i]} (0x${columns.rtype[i].toString(16)}), want 0x${expectedRtype.toString(16)} for ${schema}`);
    }
    if (rRange && (ts < start || ts >= end)) rRange.hit(columns, i, `outside [${formatTsNs(start)}, ${formatTsNs(end)})`);
    if (rAlign && ts % interval !== 0n) rAlign.hit(columns, i, `not a multiple of ${interval} ns`);

    let st = states.get(iid);
    if (!st) {
      st = { lastTs: -1n, lastClose: 0n, lastDay: 0, seen: null, bars: 0, returns: new Float64Array(window), rCount: 0, rSum: 0, rSumSq: 0 };
      states.set(iid, st);
    }
    const first = st.bars === 0;
    if (!first) {
      if (ts === st.lastTs) rDup?.hit(columns, i, 'same (instrument_id, ts_event) as the previous bar of this instrument');
      else if (ts < st.lastTs) {
        rOrder?.hit(columns, i, `after ${formatTsNs(st.lastTs)}`);
        // Out of order: from now on remember every key of this instrument to still catch duplicates.
        if (!st.seen) {
          st.seen = new Set();
          for (let j = 0; j < i; j++) if (columns.instrument_id[j] === iid) st.seen.add(columns.ts_event[j]);
        }
        if (st.seen.has(ts)) rDup?.hit(columns, i, 'same (instrument_id, ts_event) as an earlier bar');
      }
    }
    st.seen?.add(ts);

    const open = columns.open[i];
    const high = columns.high[i];
    const low = columns.low[i];
    const close = columns.close[i];
    const undef = open === UNDEF_PRICE || high === UNDEF_PRICE || low === UNDEF_PRICE || close === UNDEF_PRICE;
    if (undef) rUndef?.hit(columns, i, 'UNDEF_PRICE in open/high/low/close');
    else {
      if (low > high) rHL?.hit(columns, i, `high ${px(high)} < low ${px(low)}`);
      if (open < low || open > high) rOpen?.hit(columns, i, `open ${px(open)} outside [${px(low)}, ${px(high)}]`);
      if (close < low || close > high) rClose?.hit(columns, i, `close ${px(close)} outside [${px(low)}, ${px(high)}]`);
    }
    const vol = columns.volume[i];
    if (rVol && (vol === U64_UNDEF || vol > maxVolume)) rVol.hit(columns, i, vol === U64_UNDEF ? 'UNDEF volume' : `volume ${vol} > ${maxVolume}`);
    if (vol === 0n) rZero?.hit(columns, i, 'zero volume');
    if (rSym && symbolFor!(i) === null) rSym.hit(columns, i, `instrument_id ${iid} has no symbol on ${formatTsNs(ts).slice(0, 10)}`);

    // Market sanity: only forward in time, never across instruments (st is per instrument_id).
    if (!first && ts > st.lastTs) {
      if (rRet && !undef && close > 0n && st.lastClose > 0n) {
        const r = Math.log(Number(close) / Number(st.lastClose));
        if (st.rCount >= minObs) {
          const m = st.rSum / Math.min(st.rCount, window);
          const variance = st.rSumSq / Math.min(st.rCount, window) - m * m;
          const sigma = Math.sqrt(Math.max(variance, 0));
          if (sigma > 0 && Math.abs(r - m) > k * sigma) {
            rRet.hit(columns, i, `log return ${r.toFixed(5)} is ${(Math.abs(r - m) / sigma).toFixed(1)}σ (σ=${sigma.toExponential(2)}, k=${k})`);
          }
        }
        const slot = st.rCount % window;
        if (st.rCount >= window) {
          const old = st.returns[slot];
          st.rSum -= old;
          st.rSumSq -= old * old;
        }
        st.returns[slot] = r;
        st.rSum += r;
        st.rSumSq += r * r;
        st.rCount++;
      }
    }
    if (first || ts > st.lastTs) {
      st.lastTs = ts;
      st.lastDay = day;
      if (!undef) st.lastClose = close;
    }
    st.bars++;

    if (rGap && chunkLastTs >= 0n && ts > chunkLastTs) {
      const missed = weekdaySessionsBetween(chunkLastDay, day, holidays);
      if (missed > maxMissed) {
        rGap.hit(columns, i, `no bar for any instrument in ${missed} weekday sessions before this one`);
        chunkGapRows.add(i);
      }
    }
    if (ts > chunkLastTs) {
      chunkLastTs = ts;
      chunkLastDay = day;
    }
  }

  // Per-series gaps for liquid series (second pass: liquidity is known only at the end). A series is the row's
  // symbol when symbolFor is given (so a continuous `ZL.c.0` stays one series across its rolls), else instrument_id.
  if (rGap && n > 0) {
    const keyOf = (i: number): string => (symbolFor ? (symbolFor(i) ?? `#${columns.instrument_id[i]}`) : `#${columns.instrument_id[i]}`);
    const keys: string[] = new Array(n);
    const bars = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      keys[i] = keyOf(i);
      bars.set(keys[i], (bars.get(keys[i]) ?? 0) + 1);
    }
    let busiest = 0;
    for (const b of bars.values()) busiest = Math.max(busiest, b);
    const lastDay = new Map<string, number>();
    const lastTs = new Map<string, bigint>();
    for (let i = 0; i < n; i++) {
      const key = keys[i];
      if (bars.get(key)! < minShare * busiest) continue;
      const ts = columns.ts_event[i];
      const prevTs = lastTs.get(key);
      if (prevTs !== undefined && ts > prevTs) {
        const missed = weekdaySessionsBetween(lastDay.get(key)!, dayOfRow[i], holidays);
        // a row already reported by the chunk-wide check is the same gap: count it once
        if (missed > maxMissed && !chunkGapRows.has(i)) rGap.hit(columns, i, `${key}: no bar in ${missed} weekday sessions since ${formatTsNs(prevTs)}`);
      }
      if (prevTs === undefined || ts > prevTs) {
        lastTs.set(key, ts);
        lastDay.set(key, dayOfRow[i]);
      }
    }
  }

  const rules = [...tallies.values()].map((x) => x.result());
  const errors = rules.filter((r) => r.severity === 'error' && r.count > 0);
  const ok = errors.length === 0;
  const report: ValidationReport = {
    ok,
    records: n,
    schema,
    start: formatTsNs(start),
    end: formatTsNs(end),
    instruments: states.size,
    rules,
    summary: '',
  };
  report.summary = summaryLine(report);
  return report;
}

/** `ok 4062 records, 3 instruments; warnings: gap-unusual 2` / `FAILED …; errors: high-below-low 1`. */
export function summaryLine(report: Pick<ValidationReport, 'ok' | 'records' | 'instruments' | 'rules'>): string {
  const fired = (sev: 'error' | 'warning'): string =>
    report.rules
      .filter((r) => r.severity === sev && r.count > 0)
      .map((r) => `${r.id} ${r.count}`)
      .join(', ');
  const errors = fired('error');
  const warnings = fired('warning');
  return [
    `${report.ok ? 'ok' : 'FAILED'} ${report.records} records, ${report.instruments} instruments`,
    errors ? `errors: ${errors}` : '',
    warnings ? `warnings: ${warnings}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}
