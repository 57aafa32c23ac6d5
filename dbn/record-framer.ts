import { DbnDecodeError } from './dbn-decode-error';

/**
 * Splits a decompressed DBN byte stream into its metadata block and whole records, without decoding them.
 * The downloader persists exactly the complete records it has seen, so a resumed download knows where it stopped.
 */
export class DbnRecordFramer {
  private pending: Uint8Array = new Uint8Array(0);
  private metadataLength: number | null = null;
  /** the chunks of an unfinished metadata header, joined once it is complete (not once per chunk: quadratic) */
  private headParts: Uint8Array[] = [];
  private headLength = 0;
  metadata: Uint8Array | null = null;
  records = 0;
  lastTsEvent: bigint | null = null;
  offset = 0;

  /** Feeds bytes; returns the complete record bytes they finish (possibly empty). */
  push(chunk: Uint8Array): Uint8Array {
    if (this.metadata === null) {
      const rest = this.collectMetadata(chunk);
      if (rest === null) return new Uint8Array(0);
      chunk = rest;
    }
    const buf = this.pending.length ? concat(this.pending, chunk) : chunk;
    let pos = 0;
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
    const out = buf.subarray(0, pos).slice();
    this.offset += pos;
    this.pending = buf.subarray(pos).slice();
    return out;
  }

  /** Collects chunks until the metadata header is complete; then sets `metadata` and returns the bytes after it. */
  private collectMetadata(chunk: Uint8Array): Uint8Array | null {
    // a copy: the caller's chunk may be reused (each byte is copied once here and once more when joined)
    this.headParts.push(chunk.slice());
    this.headLength += chunk.length;
    if (this.headLength < (this.metadataLength === null ? 8 : 8 + this.metadataLength)) return null;
    const buf = this.headParts.length === 1 ? this.headParts[0] : concat(...this.headParts);
    this.headParts = [buf];
    if (this.metadataLength === null) {
      if (buf[0] !== 0x44 || buf[1] !== 0x42 || buf[2] !== 0x4e) {
        throw new DbnDecodeError('DBN_BAD_MAGIC', `not a DBN stream: bad magic at byte ${this.offset}`, this.offset, 0);
      }
      this.metadataLength = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint32(4, true);
      if (buf.length < 8 + this.metadataLength) return null;
    }
    const total = 8 + this.metadataLength;
    this.metadata = buf.slice(0, total);
    this.headParts = [];
    this.headLength = 0;
    this.offset = total;
    return buf.subarray(total);
  }

  /** Bytes of an unfinished record (or metadata header) left at the end of the stream. */
  get trailingBytes(): number {
    return this.metadata === null ? this.headLength : this.pending.length;
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

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
