import { readFile } from 'node:fs/promises';
import { DbnDecodeError } from './dbn-decode-error';
import { tryDecodeMetadata, decodeMetadata, metadataBytesNeeded, truncatedMetadataError, type Metadata } from './metadata';
import { decodeOhlcvRegion } from './ohlcv-fast';
import { concatOhlcvColumns, type OhlcvColumns } from './ohlcv-columns';
import { decodeRecord } from './record-codec';
import type { DbnRecord } from './records';
import { createZstdDecompressor, isZstd, zstdDecompress, ZstdError, type ZstdStreamDecompressor } from './zstd';

export { DbnDecodeError } from './dbn-decode-error';
export { decodeMetadata } from './metadata';

/** A zstd failure as a DBN decode error: `DBN_ZSTD_CHECKSUM` for corrupt content, `DBN_ZSTD_ERROR` otherwise. */
function zstdDecodeError(err: unknown): DbnDecodeError {
  const code = err instanceof ZstdError && err.code === 'ZSTD_CHECKSUM' ? 'DBN_ZSTD_CHECKSUM' : 'DBN_ZSTD_ERROR';
  return new DbnDecodeError(code, (err as Error).message, 0, 0, { cause: err });
}

/** Uncompressed DBN bytes: decompresses zstd input (all frames, checksums verified), passes DBN through. */
export function dbnBytes(bytes: Uint8Array): Uint8Array {
  if (!isZstd(bytes)) return bytes;
  try {
    return zstdDecompress(bytes);
  } catch (err) {
    throw zstdDecodeError(err);
  }
}

/**
 * Decodes records from `region` (which starts at absolute stream offset `base`). Returns the records
 * and the bytes consumed; a trailing partial record is left unconsumed.
 */
function decodeRecordsRegion(
  region: Uint8Array,
  base: number,
  metadata: Metadata,
  recordsBefore: number,
): { records: DbnRecord[]; consumed: number; complete: number } {
  const dv = new DataView(region.buffer, region.byteOffset, region.byteLength);
  const records: DbnRecord[] = [];
  let pos = 0;
  let complete = 0;
  while (region.length - pos >= 1) {
    const len = region[pos] * 4;
    if (len < 16) {
      throw new DbnDecodeError(
        'DBN_BAD_RECORD',
        `bad record length ${len} at byte ${base + pos}: ${recordsBefore + complete} complete records before it`,
        base + pos,
        recordsBefore + complete,
      );
    }
    if (pos + len > region.length) break;
    const rec = decodeRecord(region, dv, pos, metadata.version, metadata.ts_out);
    if (rec) records.push(rec);
    complete++;
    pos += len;
  }
  return { records, consumed: pos, complete };
}

/** Decodes a whole DBN stream (v1–v3, zstd or not) into metadata and records. Unknown rtypes are skipped. */
export function decodeDbn(bytes: Uint8Array): { metadata: Metadata; records: DbnRecord[] } {
  const raw = dbnBytes(bytes);
  const { metadata, recordsOffset } = decodeMetadata(raw);
  const region = raw.subarray(recordsOffset);
  const { records, consumed, complete } = decodeRecordsRegion(region, recordsOffset, metadata, 0);
  if (consumed < region.length) throw DbnDecodeError.truncated(recordsOffset + consumed, complete);
  return { metadata, records };
}

/** Fast path: a whole DBN stream's OHLCV records into columns (other rtypes skipped). */
export function decodeOhlcvColumns(bytes: Uint8Array): { metadata: Metadata; columns: OhlcvColumns } {
  const raw = dbnBytes(bytes);
  const { metadata, recordsOffset } = decodeMetadata(raw);
  const { columns } = decodeOhlcvRegion(raw.subarray(recordsOffset), recordsOffset, 0, false);
  return { metadata, columns };
}

export async function readDbnFile(path: string): Promise<{ metadata: Metadata; records: DbnRecord[] }> {
  return decodeDbn(await readFile(path));
}

export async function readOhlcvFile(path: string): Promise<{ metadata: Metadata; columns: OhlcvColumns }> {
  return decodeOhlcvColumns(await readFile(path));
}

/** Yields decompressed DBN bytes from a source that may be zstd (detected from its first bytes) or plain. */
async function* plainChunks(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let head: Uint8Array | null = new Uint8Array(0);
  let zstd: ZstdStreamDecompressor | null = null;
  const zstdFail = (err: unknown): never => {
    if (err instanceof ZstdError) throw zstdDecodeError(err);
    throw err;
  };
  for await (const chunk of source) {
    if (head) {
      head = concat(head, chunk);
      if (head.length < 4) continue;
      const first = head;
      head = null;
      if (isZstd(first)) {
        zstd = await createZstdDecompressor();
        try {
          yield* zstd.push(first);
        } catch (err) {
          zstdFail(err);
        }
      } else yield first;
      continue;
    }
    if (zstd) {
      try {
        yield* zstd.push(chunk);
      } catch (err) {
        zstdFail(err);
      }
    } else yield chunk;
  }
  if (head && head.length > 0) yield head;
  if (zstd) {
    try {
      yield* zstd.end();
    } catch (err) {
      zstdFail(err);
    }
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * Collects the chunks before the records until the whole metadata header is in, joining them once it is (or
 * to read its length): one copy of the header however many chunks it spans. Joining every chunk onto what came
 * before was quadratic: a 200 MB header streamed in 64 KiB chunks took many minutes.
 */
class MetadataCollector {
  private parts: Uint8Array[] = [];
  private length = 0;
  private need = 8;

  /** The metadata and the bytes after it once the header is complete, else null. */
  push(chunk: Uint8Array): { metadata: Metadata; rest: Uint8Array; recordsOffset: number } | null {
    this.parts.push(chunk);
    this.length += chunk.length;
    // until the length field is in (need 8) every push looks, so a bad magic fails on the first bytes
    if (this.need > 8 && this.length < this.need) return null;
    const joined = this.parts.length === 1 ? this.parts[0] : concatAll(this.parts, this.length);
    this.parts = [joined];
    const m = tryDecodeMetadata(joined);
    if (!m) {
      this.need = metadataBytesNeeded(joined);
      return null;
    }
    return { metadata: m.metadata, rest: joined.subarray(m.recordsOffset), recordsOffset: m.recordsOffset };
  }

  /** The error for a stream that ended inside the header. */
  truncated(): DbnDecodeError {
    return truncatedMetadataError(this.length, this.need);
  }
}

function concatAll(parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Shared streaming loop: metadata first, then batches of complete records from each chunk. */
async function* streamRegions<T>(
  source: AsyncIterable<Uint8Array>,
  decodeBatch: (
    region: Uint8Array,
    base: number,
    metadata: Metadata,
    recordsBefore: number,
  ) => { batch: T; consumed: number; complete: number; empty: boolean },
): AsyncGenerator<{ metadata: Metadata } | { batch: T }> {
  let pending: Uint8Array = new Uint8Array(0);
  const header = new MetadataCollector();
  let metadata: Metadata | null = null;
  let offset = 0; // absolute offset of pending[0]
  let complete = 0;
  for await (const chunk of plainChunks(source)) {
    if (!metadata) {
      const m = header.push(chunk);
      if (!m) continue;
      metadata = m.metadata;
      yield { metadata };
      pending = m.rest;
      offset = m.recordsOffset;
    } else pending = concat(pending, chunk);
    const r = decodeBatch(pending, offset, metadata, complete);
    complete += r.complete;
    offset += r.consumed;
    // copy the remainder so the big chunk buffer can be freed
    pending = r.consumed > 0 ? new Uint8Array(pending.subarray(r.consumed)) : pending;
    if (!r.empty) yield { batch: r.batch };
  }
  if (!metadata) throw header.truncated();
  if (pending.length > 0) throw DbnDecodeError.truncated(offset, complete);
}

/**
 * Streaming decoder for HTTP bodies (zstd detected automatically, frames concatenated).
 * Yields `{ metadata }` once, then `{ records }` batches; throws DbnDecodeError (with the byte offset
 * and the count of complete records before it) when the stream ends mid-record.
 */
export async function* decodeDbnStream(
  source: AsyncIterable<Uint8Array>,
): AsyncGenerator<{ metadata: Metadata } | { records: DbnRecord[] }> {
  for await (const item of streamRegions(source, (region, base, metadata, before) => {
    const r = decodeRecordsRegion(region, base, metadata, before);
    return { batch: r.records, consumed: r.consumed, complete: r.complete, empty: r.records.length === 0 };
  })) {
    yield 'metadata' in item ? item : { records: item.batch };
  }
}

/** Streaming OHLCV decoder: `{ metadata }` once, then `{ columns }` batches (fast path per chunk). */
export async function* decodeOhlcvStream(
  source: AsyncIterable<Uint8Array>,
): AsyncGenerator<{ metadata: Metadata } | { columns: OhlcvColumns }> {
  for await (const item of streamRegions(source, (region, base, _metadata, before) => {
    const r = decodeOhlcvRegion(region, base, before, true);
    return { batch: r.columns, consumed: r.consumed, complete: r.records, empty: r.columns.length === 0 };
  })) {
    yield 'metadata' in item ? item : { columns: item.batch };
  }
}

/** Collects a decodeOhlcvStream into one set of columns. */
export async function collectOhlcvStream(
  source: AsyncIterable<Uint8Array>,
): Promise<{ metadata: Metadata; columns: OhlcvColumns }> {
  let metadata: Metadata | null = null;
  const parts: OhlcvColumns[] = [];
  for await (const item of decodeOhlcvStream(source)) {
    if ('metadata' in item) metadata = item.metadata;
    else parts.push(item.columns);
  }
  return { metadata: metadata!, columns: concatOhlcvColumns(parts) };
}
