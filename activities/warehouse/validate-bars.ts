import { OHLCV_RTYPE } from '../../domain/databento-enums';
import { formatTsNs, parseTimeNs } from '../../domain/time';
import type { OhlcvColumns } from '../dbn/ohlcv-columns';
import { WarehouseBadRowsError, type BadRowContext } from './errors';
import type { BarChunkRef } from './warehouse';

/** dbn UNDEF_PRICE (i64::MAX) and UNDEF_TIMESTAMP (u64::MAX). */
const UNDEF_PRICE = 2n ** 63n - 1n;
const UNDEF_TIMESTAMP = 2n ** 64n - 1n;
const INT64_MAX = 2n ** 63n - 1n;
/** Staged as DECIMAL(18,9): |price| must stay below 1e9 points (every real futures price does). */
const PRICE_LIMIT = 10n ** 18n;

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
  let groupTs = -1n;
  let group = new Set<number>();
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

  for (let i = 0; i < n; i++) {
    const ts = ts_event[i];
    if (ts === UNDEF_TIMESTAMP || ts === 0n) {
      flag(i, 'ts_event', 'undefined (UNDEF_TIMESTAMP or 0)');
      continue;
    }
    if (ts < start || ts >= end) {
      flag(i, 'ts_event', `outside the chunk [${chunk.start}, ${chunk.end})`);
      continue;
    }
    if (ts % 1000n !== 0n) {
      flag(i, 'ts_event', 'not a whole microsecond (warehouse TIMESTAMPs are µs)');
      continue;
    }
    if (columns.rtype[i] !== rtype) {
      flag(i, 'rtype', `${columns.rtype[i]} is not ${chunk.schema} (${rtype})`);
      continue;
    }
    let priceBad = false;
    for (const f of PRICE_FIELDS) {
      const p = columns[f][i];
      if (p === UNDEF_PRICE) {
        flag(i, f, 'UNDEF_PRICE');
        priceBad = true;
        break;
      }
      if (p >= PRICE_LIMIT || p <= -PRICE_LIMIT) {
        flag(i, f, `${p} (1e-9) is beyond ±1e9 and cannot be stored`);
        priceBad = true;
        break;
      }
    }
    if (priceBad) continue;
    if (volume[i] > INT64_MAX) {
      flag(i, 'volume', `${volume[i]} exceeds INT64`);
      continue;
    }
    const iid = instrument_id[i];
    if (sorted && ts < groupTs) {
      // out of order: switch to a full key set built from the rows so far
      sorted = false;
      seen = new Set();
      for (let j = 0; j < i; j++) seen.add((ts_event[j] << 32n) | BigInt(instrument_id[j]));
    }
    if (sorted) {
      if (ts !== groupTs) {
        groupTs = ts;
        group = new Set();
      }
      if (group.has(iid)) flag(i, 'instrument_id', 'duplicate (instrument_id, ts_event) in the chunk');
      group.add(iid);
    } else {
      const key = (ts << 32n) | BigInt(iid);
      if (seen!.has(key)) flag(i, 'instrument_id', 'duplicate (instrument_id, ts_event) in the chunk');
      seen!.add(key);
    }
  }
  if (first) throw new WarehouseBadRowsError(table, { ...(first as Omit<BadRowContext, 'badRows'>), badRows: bad });
}
