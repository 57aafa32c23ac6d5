import { OHLCV_RTYPE } from '../domain/databento-enums';
import { formatTsNs, parseTimeNs } from '../domain/time';
import type { OhlcvColumns } from '../dbn/ohlcv-columns';
import { WarehouseBadRowsError, type BadRowContext } from './errors';
import type { BarChunkRef } from './warehouse';

/** dbn UNDEF_PRICE (i64::MAX); UNDEF_TIMESTAMP (u64::MAX) is checked as two all-ones words. */
const UNDEF_PRICE = 2n ** 63n - 1n;
/** Staged as DECIMAL(18,9): |price| must stay below 1e9 points (every real futures price does). */
const PRICE_LIMIT = 10n ** 18n;
const PRICE_LIMIT_HI = Number(PRICE_LIMIT >> 32n);

/** A u64 as [high, low] 32-bit words. */
const halves = (v: bigint): [number, number] => [Number(v >> 32n), Number(v & 0xffffffffn)];
/** (hi, lo) < limit, for u64 words. */
const below = (hi: number, lo: number, limit: [number, number]): boolean => hi < limit[0] || (hi === limit[0] && lo < limit[1]);

const PRICE_FIELDS = ['open', 'high', 'low', 'close'] as const;

/**
 * Checks every row before anything is written; throws WarehouseBadRowsError naming the first bad row.
 * Rejects: UNDEF/zero/sub-µs ts_event, ts_event outside [chunk.start, chunk.end), rtype not the schema's,
 * UNDEF or unstorable prices, volume above i64 max, and duplicate (instrument_id, ts_event).
 */
export function validateBarColumns(table: string, chunk: BarChunkRef, columns: OhlcvColumns): void {
  const n = columns.length;
  const start = parseTimeNs(chunk.start);
  const end = parseTimeNs(chunk.end);
  const rtype = OHLCV_RTYPE[chunk.schema];
  const { ts_event, instrument_id, volume } = columns;
  let first: Omit<BadRowContext, 'badRows'> | null = null;
  let bad = 0;
  // duplicates: with ts_event non-decreasing (the DBN norm) only rows of equal ts can collide
  let sorted = true;
  const group = new Set<number>();
  let seen: Set<bigint> | null = null;

  const flag = (i: number, field: string, reason: string): void => {
    bad++;
    if (!first) {
      const ts = ts_event[i];
      first = {
        rowIndex: i,
        instrumentId: instrument_id[i],
        tsEvent: ts < 2n ** 63n ? formatTsNs(ts) : ts.toString(),
        field,
        reason,
      };
    }
  };

  // the hot checks read 32-bit halves (no BigInt per row); the rare rows near a limit are re-checked exactly
  const tsWords = new Uint32Array(ts_event.buffer, ts_event.byteOffset, n * 2);
  const priceWords = PRICE_FIELDS.map((f) => new Int32Array(columns[f].buffer, columns[f].byteOffset, n * 2));
  const volumeWords = new Uint32Array(volume.buffer, volume.byteOffset, n * 2);
  const startHalves = halves(start);
  const endHalves = halves(end);
  let groupHi = -1;
  let groupLo = -1;

  for (let i = 0; i < n; i++) {
    const lo = tsWords[2 * i];
    const hi = tsWords[2 * i + 1];
    const badTs = unstorableTs(hi, lo, startHalves, endHalves, chunk);
    if (badTs) {
      flag(i, 'ts_event', badTs);
      continue;
    }
    if (columns.rtype[i] !== rtype) {
      flag(i, 'rtype', `${columns.rtype[i]} is not ${chunk.schema} (${rtype})`);
      continue;
    }
    const badPrice = unstorablePrice(columns, priceWords, i);
    if (badPrice) {
      flag(i, badPrice.field, badPrice.reason);
      continue;
    }
    if (volumeWords[2 * i + 1] > 0x7fffffff) {
      flag(i, 'volume', `${volume[i]} exceeds INT64`);
      continue;
    }
    const iid = instrument_id[i];
    if (sorted && (hi < groupHi || (hi === groupHi && lo < groupLo))) {
      // out of order: switch to a full key set built from the rows so far
      sorted = false;
      seen = new Set();
      for (let j = 0; j < i; j++) seen.add((ts_event[j] << 32n) | BigInt(instrument_id[j]));
    }
    if (sorted) {
      if (hi !== groupHi || lo !== groupLo) {
        groupHi = hi;
        groupLo = lo;
        group.clear();
      }
      if (group.has(iid)) flag(i, 'instrument_id', 'duplicate (instrument_id, ts_event) in the chunk');
      group.add(iid);
    } else {
      const key = (ts_event[i] << 32n) | BigInt(iid);
      if (seen!.has(key)) flag(i, 'instrument_id', 'duplicate (instrument_id, ts_event) in the chunk');
      seen!.add(key);
    }
  }
  if (first) throw new WarehouseBadRowsError(table, { ...(first as Omit<BadRowContext, 'badRows'>), badRows: bad });
}

/** Why a ts_event given as (hi, lo) u32 words cannot be stored for this chunk, or null when it can. */
function unstorableTs(hi: number, lo: number, startHalves: [number, number], endHalves: [number, number], chunk: BarChunkRef): string | null {
  if ((lo === 0 && hi === 0) || (lo === 0xffffffff && hi === 0xffffffff)) return 'undefined (UNDEF_TIMESTAMP or 0)';
  if (below(hi, lo, startHalves) || !below(hi, lo, endHalves)) return `outside the chunk [${chunk.start}, ${chunk.end})`;
  if (((hi % 1000) * 4294967296 + lo) % 1000 !== 0) return 'not a whole microsecond (warehouse TIMESTAMPs are µs)';
  return null;
}

/** The first of row i's four prices that cannot be stored, or null when all can. */
function unstorablePrice(columns: OhlcvColumns, priceWords: Int32Array[], i: number): { field: string; reason: string } | null {
  for (let f = 0; f < PRICE_FIELDS.length; f++) {
    const pHi = priceWords[f][2 * i + 1];
    // |high word| < ⌊1e18 / 2^32⌋ means |price| < 1e18: no exact check needed
    if (pHi > -PRICE_LIMIT_HI && pHi < PRICE_LIMIT_HI) continue;
    const p = columns[PRICE_FIELDS[f]][i];
    if (p === UNDEF_PRICE) return { field: PRICE_FIELDS[f], reason: 'UNDEF_PRICE' };
    if (p >= PRICE_LIMIT || p <= -PRICE_LIMIT) return { field: PRICE_FIELDS[f], reason: `${p} (1e-9) is beyond ±1e9 and cannot be stored` };
  }
  return null;
}
