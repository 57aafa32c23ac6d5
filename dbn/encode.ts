import { completeMetadata, encodeMetadata, type MetadataInput } from './metadata';
import type { OhlcvColumns } from './ohlcv-columns';
import { encodeRecordInto, encodedRecordSize } from './record-codec';
import type { DbnRecord } from './records';

export { encodeMetadata } from './metadata';

const OHLCV_WORDS = 14;

function words(a: BigInt64Array | BigUint64Array, n: number): Int32Array {
  return new Int32Array(a.buffer, a.byteOffset, n * 2);
}

/** OHLCV records only (56 bytes each, no metadata), for chunked/streamed output. */
export function encodeOhlcvRecords(c: OhlcvColumns): Uint8Array {
  const n = c.length;
  const out = new Int32Array(n * OHLCV_WORDS);
  const u8 = new Uint8Array(out.buffer);
  const u16 = new Uint16Array(out.buffer);
  const u32 = new Uint32Array(out.buffer);
  const ts = words(c.ts_event, n);
  const op = words(c.open, n);
  const hi = words(c.high, n);
  const lo = words(c.low, n);
  const cl = words(c.close, n);
  const vo = words(c.volume, n);
  for (let i = 0, w = 0; i < n; i++, w += OHLCV_WORDS) {
    const j = i << 1;
    u8[w << 2] = OHLCV_WORDS;
    u8[(w << 2) + 1] = c.rtype[i];
    u16[(w << 1) + 1] = c.publisher_id[i];
    u32[w + 1] = c.instrument_id[i];
    out[w + 2] = ts[j];
    out[w + 3] = ts[j + 1];
    out[w + 4] = op[j];
    out[w + 5] = op[j + 1];
    out[w + 6] = hi[j];
    out[w + 7] = hi[j + 1];
    out[w + 8] = lo[j];
    out[w + 9] = lo[j + 1];
    out[w + 10] = cl[j];
    out[w + 11] = cl[j + 1];
    out[w + 12] = vo[j];
    out[w + 13] = vo[j + 1];
  }
  return u8;
}

/** A complete DBN v3 stream: metadata (8-byte padded) followed by 56-byte OHLCV records. */
export function encodeOhlcvColumns(metadata: MetadataInput, columns: OhlcvColumns): Uint8Array {
  const head = encodeMetadata({ ...metadata, ts_out: false }, 3);
  const body = encodeOhlcvRecords(columns);
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

/** Records only, in DBN v3 layouts (OHLCV, trades, mbp, mbo, bbo, cmbp/cbbo, status, statistics, definition, symbol mapping, error, system). */
export function encodeRecordsOnly(records: readonly DbnRecord[], tsOut = false): Uint8Array {
  let size = 0;
  for (const r of records) size += encodedRecordSize(r, tsOut);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  let off = 0;
  for (const r of records) off += encodeRecordInto(r, out, dv, off, tsOut);
  return out;
}

/** A complete DBN v3 stream of metadata plus records. */
export function encodeRecords(metadata: MetadataInput, records: readonly DbnRecord[]): Uint8Array {
  const m = completeMetadata(metadata);
  const head = encodeMetadata(m, 3);
  const body = encodeRecordsOnly(records, m.ts_out);
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}
