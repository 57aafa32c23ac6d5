import { Decoder, Encoder } from '@toondepauw/node-zstd';
import { Decompress } from 'fzstd';

/** Zstandard frame magic 0xFD2FB528 (little-endian bytes 28 B5 2F FD). */
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd] as const;

/** Any zstd frame: a regular frame or a skippable frame (0x184D2A50..5F). */
export function isZstd(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  if (bytes[0] === ZSTD_MAGIC[0] && bytes[1] === ZSTD_MAGIC[1] && bytes[2] === ZSTD_MAGIC[2] && bytes[3] === ZSTD_MAGIC[3]) {
    return true;
  }
  return (bytes[0] & 0xf0) === 0x50 && bytes[1] === 0x2a && bytes[2] === 0x4d && bytes[3] === 0x18;
}

export class ZstdError extends Error {
  override readonly name = 'ZstdError';
  readonly code = 'ZSTD_ERROR' as const;
  readonly retryable = false;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** One zstd frame (native libzstd); level 3 is zstd's default. */
export function zstdCompress(bytes: Uint8Array, level = 3): Uint8Array {
  return new Encoder(level).encodeSync(asBuffer(bytes));
}

/** Whole-buffer decompression across concatenated (and skippable) frames (native libzstd). */
export function zstdDecompress(bytes: Uint8Array): Uint8Array {
  try {
    return new Decoder().decodeSync(asBuffer(bytes));
  } catch (err) {
    throw new ZstdError(`zstd decompression failed: ${(err as Error).message}`, { cause: err });
  }
}

/** Incremental decompressor for HTTP bodies: push compressed chunks, get decompressed chunks back. */
export interface ZstdStreamDecompressor {
  push(chunk: Uint8Array): Uint8Array[];
  /** Signals end of input; throws if the input ended inside a frame. */
  end(): Uint8Array[];
}

/**
 * Streaming decompression (pure-JS fzstd), which continues across concatenated frames and
 * skips skippable frames. fzstd reuses nothing it hands out, so chunks may be kept.
 */
export function createZstdDecompressor(): ZstdStreamDecompressor {
  let out: Uint8Array[] = [];
  const d = new Decompress((data) => {
    if (data.length > 0) out.push(data);
  });
  const run = (chunk: Uint8Array, final: boolean): Uint8Array[] => {
    try {
      d.push(chunk, final);
    } catch (err) {
      throw new ZstdError(`zstd stream decompression failed: ${(err as Error).message}`, { cause: err });
    }
    const ready = out;
    out = [];
    return ready;
  };
  return { push: (chunk) => run(chunk, false), end: () => run(new Uint8Array(0), true) };
}

/** Decompresses an async byte stream chunk by chunk. */
export async function* zstdDecompressStream(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const d = createZstdDecompressor();
  for await (const chunk of source) yield* d.push(chunk);
  yield* d.end();
}
