import type { Metadata } from './metadata';

const NS_PER_DAY = 86_400_000_000_000n;
const DAY_MS = 86_400_000;

interface Interval {
  start: number; // UTC day number, inclusive
  end: number; // exclusive
  symbol: string;
}

function dayOf(date: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  return ms / DAY_MS;
}

/** UTC day number of a ns timestamp, exact even near midnight (Number(ts) alone rounds by up to 256 ns). */
function dayOfNs(ts: bigint): number {
  const approx = Number(ts) / 8.64e13;
  const day = Math.floor(approx);
  if (approx - day > 1e-6 && day + 1 - approx > 1e-6) return day;
  return Number(ts / NS_PER_DAY);
}

/**
 * instrument_id → symbol by UTC date, like Databento's map_symbols: the symbol shown for a record is the
 * one whose [start_date, end_date) interval covers the record's UTC date (of ts_event).
 * Built from DBN metadata mappings, from a symbology.resolve `result`, or from explicit entries.
 */
export class TsSymbolMap {
  private readonly byId = new Map<number, Interval[]>();
  private sorted = true;

  /**
   * From metadata mappings. With stype_out=instrument_id the mapping key is the input symbol
   * (raw, parent child, or continuous) and interval.symbol is the instrument_id digits;
   * with stype_in=instrument_id (stype_out raw_symbol) it is the other way round.
   */
  static fromMetadata(m: Pick<Metadata, 'mappings' | 'stype_in' | 'stype_out'>): TsSymbolMap {
    const map = new TsSymbolMap();
    const idIsKey = m.stype_in === 'instrument_id' && m.stype_out !== 'instrument_id';
    for (const mapping of m.mappings) {
      for (const iv of mapping.intervals) {
        const idText = idIsKey ? mapping.raw_symbol : iv.symbol;
        const symbol = idIsKey ? iv.symbol : mapping.raw_symbol;
        if (idText === '' || !/^\d+$/.test(idText)) continue; // empty = no mapping for that interval
        map.add(Number(idText), iv.start_date, iv.end_date, symbol);
      }
    }
    return map;
  }

  /** From a symbology.resolve `result` ({ symbol: [{ d0, d1, s: instrument_id }] }). */
  static fromSymbology(result: Record<string, { d0: string; d1: string; s: string }[]>): TsSymbolMap {
    const map = new TsSymbolMap();
    for (const [symbol, intervals] of Object.entries(result)) {
      for (const iv of intervals) {
        if (iv.s === '' || !/^\d+$/.test(iv.s)) continue;
        map.add(Number(iv.s), iv.d0, iv.d1, symbol);
      }
    }
    return map;
  }

  /** Adds an explicit entry: `instrument_id` is `symbol` on UTC dates [startDate, endDate). */
  add(instrument_id: number, startDate: string, endDate: string, symbol: string): this {
    const start = dayOf(startDate);
    const end = dayOf(endDate);
    if (end <= start) return this;
    let list = this.byId.get(instrument_id);
    if (!list) this.byId.set(instrument_id, (list = []));
    list.push({ start, end, symbol });
    this.sorted = false;
    return this;
  }

  get size(): number {
    return this.byId.size;
  }

  private ensureSorted(): void {
    if (this.sorted) return;
    for (const list of this.byId.values()) list.sort((a, b) => a.start - b.start);
    this.sorted = true;
  }

  /** The symbol for `instrument_id` on the UTC date of `ts_event`, or undefined when unmapped. */
  symbolFor(instrument_id: number, ts_event: bigint): string | undefined {
    const list = this.byId.get(instrument_id);
    if (!list) return undefined;
    this.ensureSorted();
    const day = dayOfNs(ts_event);
    // last interval starting on or before `day`
    let lo = 0;
    let hi = list.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].start <= day) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (let k = found; k >= 0; k--) {
      if (list[k].end > day) return list[k].symbol;
    }
    return undefined;
  }
}
