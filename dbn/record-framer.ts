import { DbnDecodeError } from './dbn-decode-error';

/**
 * Splits a decompressed DBN byte stream into its metadata block and whole records, without decoding them.
 * The downloader persists exactly the complete records it has seen, so a resumed download knows where it stopped.
 */
export class DbnRecordFramer {
  private pending: Uint8Array = new Uint8Array(0);
  private metadataLength: number | null = null;
  metadata: Uint8Array | null = null;
  records = 0;
  lastTsEvent: bigint | null = null;
  offset = 0;

  /** Feeds bytes; returns the complete record bytes they finish (possibly empty). */
  push(chunk: Uint8Array): Uint8Array {
    const buf = this.pending.length ? concat(this.pending, chunk) : chunk;
    let pos = 0;
    if (this.metadata === null) {
      if (buf.length < 8) {
        this.pending = buf.slice();
        return new Uint8Array(0);
      }
      if (buf[0] !== 0x44 || buf[1] !== 0x42 || buf[2] !== 0x4e) {
        throw new DbnDecodeError('DBN_BAD_MAGIC', `not a DBN stream: bad magic at byte ${this.offset}`, this.offset, 0);
      }
      this.metadataLength ??= new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint32(4, true);
      const total = 8 + this.metadataLength;
      if (buf.length < total) {
        this.pending = buf.slice();
        return new Uint8Array(0);
      }
      this.metadata = buf.slice(0, total);
      pos = total;
    }
    const start = pos;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    while (pos < buf.length) {
      const len = buf[pos] * 4;
      if (len < 16) {
        throw new DbnDecodeError(
          'DBN_BAD_RECORD',
          `corrupt record header at byte ${this.offset + pos}: length ${len} (${this.records} complete records before it)`,
          this.offset + pos,
          this.records,
        );
      }
      if (pos + len > buf.length) break;
      this.lastTsEvent = view.getBigUint64(pos + 8, true);
      this.records++;
      pos += len;
    }
    const complete = buf.subarray(start, pos);
    const out = complete.slice();
    this.offset += pos;
    this.pending = buf.subarray(pos).slice();
    return out;
  }

  /** Bytes of an unfinished record left at the end of the stream. */
  get trailingBytes(): number {
    return this.pending.length;
  }
}

/** Walks whole records in a buffer of concatenated records; returns count, last ts_event and the byte length of whole records. */
export function scanRecords(bytes: Uint8Array): { records: number; completeBytes: number; lastTsEvent: bigint | null; lastTsStart: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  let records = 0;
  let lastTsEvent: bigint | null = null;
  let lastTsStart = 0;
  while (pos < bytes.length) {
    const len = bytes[pos] * 4;
    if (len < 16 || pos + len > bytes.length) break;
    const ts = view.getBigUint64(pos + 8, true);
    if (ts !== lastTsEvent) lastTsStart = pos;
    lastTsEvent = ts;
    records++;
    pos += len;
  }
  return { records, completeBytes: pos, lastTsEvent, lastTsStart };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
