import { allocOhlcvColumns, copyOhlcvRow, takeOhlcvColumns, type OhlcvColumns } from '../dbn/ohlcv-columns';
import type { DbnRecord } from '../dbn/records';
import type { ResolvedQuery, SourceSelection } from './resolve-query';
import { dayOfNs } from './symbology-index';

export const OHLCV_RECORD_BYTES = 56;

export type Selection =
  | { kind: 'ohlcv'; columns: OhlcvColumns; count: number; billableBytes: number }
  | { kind: 'raw'; bytes: Uint8Array[]; records: DbnRecord[]; count: number; billableBytes: number };

/** First index with ts[i] >= t (ts ascending). */
function lowerBound(ts: BigUint64Array | bigint[], t: bigint): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function rowWanted(ids: SourceSelection['ids'], instrumentId: number, day: number): boolean {
  if (ids === 'all') return true;
  const ranges = ids.get(instrumentId);
  if (!ranges) return false;
  for (const [a, b] of ranges) if (day >= a && day < b) return true;
  return false;
}

/**
 * The recorded records a resolved query serves, in the recordings' own order (ts_event ascending;
 * within a timestamp, the order the recording has), cut to `limit`.
 */
export async function selectRecords(r: ResolvedQuery): Promise<Selection> {
  const { start, end, limit } = r.query;
  const first = r.selections[0];
  if (first.source.kind === 'raw') {
    const raw = await first.source.load();
    const bytes: Uint8Array[] = [];
    const records: DbnRecord[] = [];
    for (let i = 0; i < raw.records.length && (limit === 0 || records.length < limit); i++) {
      const t = raw.indexTs[i];
      if (t < start || t >= end) continue;
      if (!rowWanted(first.ids, raw.records[i].hd.instrument_id, dayOfNs(t))) continue;
      bytes.push(raw.bytes[i]);
      records.push(raw.records[i]);
    }
    const billableBytes = bytes.reduce((n, b) => n + b.length, 0);
    return { kind: 'raw', bytes, records, count: records.length, billableBytes };
  }

  // OHLCV: per selection the wanted row indices, then a stable merge by ts_event across products
  const parts: { columns: OhlcvColumns; rows: number[] }[] = [];
  for (const sel of r.selections) {
    if (sel.source.kind !== 'ohlcv') continue;
    const columns = await sel.source.load(start, end);
    const lo = lowerBound(columns.ts_event, start);
    const hi = lowerBound(columns.ts_event, end);
    const rows: number[] = [];
    for (let i = lo; i < hi; i++) {
      if (rowWanted(sel.ids, columns.instrument_id[i], dayOfNs(columns.ts_event[i]))) rows.push(i);
    }
    parts.push({ columns, rows });
  }
  let columns: OhlcvColumns;
  if (parts.length === 1) {
    const rows = limit > 0 ? parts[0].rows.slice(0, limit) : parts[0].rows;
    columns = takeOhlcvColumns(parts[0].columns, rows);
  } else {
    columns = mergeParts(parts, limit);
  }
  return { kind: 'ohlcv', columns, count: columns.length, billableBytes: columns.length * OHLCV_RECORD_BYTES };
}

function mergeParts(parts: { columns: OhlcvColumns; rows: number[] }[], limit: number): OhlcvColumns {
  const total = parts.reduce((n, p) => n + p.rows.length, 0);
  const out = allocOhlcvColumns(limit > 0 ? Math.min(limit, total) : total);
  const pos = parts.map(() => 0);
  for (let k = 0; k < out.length; k++) {
    let best = -1;
    for (let j = 0; j < parts.length; j++) {
      if (pos[j] >= parts[j].rows.length) continue;
      const t = parts[j].columns.ts_event[parts[j].rows[pos[j]]];
      if (best < 0 || t < parts[best].columns.ts_event[parts[best].rows[pos[best]]]) best = j;
    }
    copyOhlcvRow(out, k, parts[best].columns, parts[best].rows[pos[best]++]);
  }
  return out;
}
