import { allocOhlcvColumns, type OhlcvColumns } from './ohlcv-columns';
import { DbnDecodeError } from './dbn-decode-error';

/** OHLCV rtypes: deprecated 0x11 and 0x20..0x24 (1s, 1m, 1h, 1d, eod). */
export function isOhlcvRtype(rtype: number): boolean {
  return rtype === 0x11 || (rtype >= 0x20 && rtype <= 0x24);
}

const OHLCV_WORDS = 14; // 56 bytes

/**
 * Copies the OHLCV records of a record region into columns without per-record BigInt allocation:
 * 8-byte fields move as two 32-bit words into Int32Array views of the BigInt64Array buffers.
 * Non-OHLCV records are skipped by their length. `baseOffset`/`recordsBefore` only feed error messages.
 * Returns the columns and how many bytes were consumed (a trailing partial record is left when `allowPartial`).
 */
export function decodeOhlcvRegion(
  region: Uint8Array,
  baseOffset: number,
  recordsBefore: number,
  allowPartial: boolean,
): { columns: OhlcvColumns; consumed: number; records: number } {
  // Typed-array views need 4-byte alignment; v1/v2 metadata leaves records unaligned, so copy then.
  // (copy via a fresh Uint8Array: Buffer#slice would return an unaligned view)
  const src = (region.byteOffset & 3) === 0 ? region : new Uint8Array(region);
  const n8 = src.length;
  const words = new Int32Array(src.buffer, src.byteOffset, n8 >>> 2);
  const u32 = new Uint32Array(src.buffer, src.byteOffset, n8 >>> 2);
  const u16 = new Uint16Array(src.buffer, src.byteOffset, n8 >>> 1);

  // Pass 1: walk lengths, count OHLCV records, detect uniform 56-byte records.
  let pos = 0;
  let count = 0;
  let all = 0;
  let uniform = true;
  while (pos < n8) {
    if (n8 - pos < 4) break;
    const len = src[pos] * 4;
    if (len < 16) {
      throw new DbnDecodeError(
        'DBN_BAD_RECORD',
        `bad record length ${len} at byte ${baseOffset + pos}: ${recordsBefore + all} complete records before it`,
        baseOffset + pos,
        recordsBefore + all,
      );
    }
    if (pos + len > n8) break;
    const rtype = src[pos + 1];
    if (isOhlcvRtype(rtype)) {
      if (len < 56) {
        throw new DbnDecodeError(
          'DBN_BAD_RECORD',
          `OHLCV record of ${len} bytes at byte ${baseOffset + pos} (want >= 56): ${recordsBefore + all} complete records before it`,
          baseOffset + pos,
          recordsBefore + all,
        );
      }
      if (len !== 56) uniform = false;
      count++;
    } else uniform = false;
    all++;
    pos += len;
  }
  if (pos < n8 && !allowPartial) throw DbnDecodeError.truncated(baseOffset + pos, recordsBefore + all);

  const c = allocOhlcvColumns(count);
  const ts = new Int32Array(c.ts_event.buffer);
  const op = new Int32Array(c.open.buffer);
  const hi = new Int32Array(c.high.buffer);
  const lo = new Int32Array(c.low.buffer);
  const cl = new Int32Array(c.close.buffer);
  const vo = new Int32Array(c.volume.buffer);
  const rt = c.rtype;
  const pub = c.publisher_id;
  const iid = c.instrument_id;

  if (uniform) {
    for (let i = 0, w = 0; i < count; i++, w += OHLCV_WORDS) {
      const j = i << 1;
      rt[i] = src[(w << 2) + 1];
      pub[i] = u16[(w << 1) + 1];
      iid[i] = u32[w + 1];
      ts[j] = words[w + 2];
      ts[j + 1] = words[w + 3];
      op[j] = words[w + 4];
      op[j + 1] = words[w + 5];
      hi[j] = words[w + 6];
      hi[j + 1] = words[w + 7];
      lo[j] = words[w + 8];
      lo[j + 1] = words[w + 9];
      cl[j] = words[w + 10];
      cl[j + 1] = words[w + 11];
      vo[j] = words[w + 12];
      vo[j + 1] = words[w + 13];
    }
  } else {
    let i = 0;
    for (let p = 0; p < pos; ) {
      const len = src[p] * 4;
      if (isOhlcvRtype(src[p + 1])) {
        const w = p >>> 2;
        const j = i << 1;
        rt[i] = src[p + 1];
        pub[i] = u16[(w << 1) + 1];
        iid[i] = u32[w + 1];
        for (let k = 0; k < 2; k++) {
          ts[j + k] = words[w + 2 + k];
          op[j + k] = words[w + 4 + k];
          hi[j + k] = words[w + 6 + k];
          lo[j + k] = words[w + 8 + k];
          cl[j + k] = words[w + 10 + k];
          vo[j + k] = words[w + 12 + k];
        }
        i++;
      }
      p += len;
    }
  }
  return { columns: c, consumed: pos, records: all };
}
