import { Decoder, Encoder } from '@toondepauw/node-zstd';
import { Decompress } from 'fzstd';
import xxhash from 'xxhash-wasm';
import { ZstdFrameError, ZstdFrameWalker, type ZstdFramePiece } from './zstd-frames';

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

/** `ZSTD_CHECKSUM`: a frame's content does not match its stored checksum (the data is corrupt). */
export type ZstdErrorCode = 'ZSTD_ERROR' | 'ZSTD_CHECKSUM';

export class ZstdError extends Error {
  override readonly name = 'ZstdError';
  readonly code: ZstdErrorCode;
  readonly retryable = false;
  constructor(message: string, options: { cause?: unknown; code?: ZstdErrorCode } = {}) {
    super(message, { cause: options.cause });
    this.code = options.code ?? 'ZSTD_ERROR';
  }
}

const CORRUPT_ADVICE = 'the data is corrupt; re-download it';

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** One zstd frame (native libzstd); level 3 is zstd's default. */
export function zstdCompress(bytes: Uint8Array, level = 3): Uint8Array {
  return new Encoder(level).encodeSync(asBuffer(bytes));
}

/** Whole-buffer decompression across concatenated (and skippable) frames (native libzstd, which verifies checksums). */
export function zstdDecompress(bytes: Uint8Array): Uint8Array {
  try {
    return new Decoder().decodeSync(asBuffer(bytes));
  } catch (err) {
    const message = (err as Error).message;
    // libzstd: "Restored data doesn't match checksum"
    if (/checksum/i.test(message)) {
      throw new ZstdError(`zstd content checksum mismatch: ${CORRUPT_ADVICE} (libzstd: ${message})`, { cause: err, code: 'ZSTD_CHECKSUM' });
    }
    throw new ZstdError(`zstd decompression failed: ${message}`, { cause: err });
  }
}

/** Incremental decompressor for HTTP bodies: push compressed chunks, get decompressed chunks back. */
export interface ZstdStreamDecompressor {
  push(chunk: Uint8Array): Uint8Array[];
  /** Signals end of input; throws if the input ended inside a frame. */
  end(): Uint8Array[];
}

let xxhashApi: ReturnType<typeof xxhash> | null = null;

/** One frame being decompressed: its own fzstd decoder and the XXH64 of its content so far. */
interface FrameState {
  decoder: Decompress;
  hash: { update(bytes: Uint8Array): unknown; digest(): bigint };
}

function checkFrame(hash: FrameState['hash'], piece: ZstdFramePiece): void {
  if (piece.checksum === null) return;
  const actual = Number(hash.digest() & 0xffffffffn);
  if (actual === piece.checksum) return;
  const hex = (v: number) => `0x${v.toString(16).padStart(8, '0')}`;
  throw new ZstdError(
    `zstd frame ${piece.frame} (at compressed byte ${piece.frameOffset}) fails its content checksum ` +
      `(stored ${hex(piece.checksum)}, content hashes to ${hex(actual)}): ${CORRUPT_ADVICE}`,
    { code: 'ZSTD_CHECKSUM' },
  );
}

/**
 * Streaming decompression (pure-JS fzstd, one decoder per frame) across concatenated frames, skipping skippable
 * frames. fzstd does not check content checksums, so each frame's output is hashed (XXH64, xxhash-wasm) and
 * compared with the checksum the frame ends with: a mismatch throws ZstdError `ZSTD_CHECKSUM` when the frame ends
 * (its bytes have been handed out by then). fzstd reuses nothing it hands out, so chunks may be kept.
 */
export async function createZstdDecompressor(): Promise<ZstdStreamDecompressor> {
  const { create64 } = await (xxhashApi ??= xxhash());
  const walker = new ZstdFrameWalker();
  let out: Uint8Array[] = [];
  let frame: FrameState | null = null;
  const feed = (piece: ZstdFramePiece) => {
    if (piece.start) {
      const hash = create64();
      const decoder = new Decompress((data) => {
        if (data.length === 0) return;
        out.push(data);
        hash.update(data);
      });
      frame = { decoder, hash };
    }
    // the frame's last piece is pushed as final: fzstd then hands out everything it holds
    frame!.decoder.push(piece.bytes, piece.end);
    if (piece.end) {
      checkFrame(frame!.hash, piece);
      frame = null;
    }
  };
  const run = (chunk: Uint8Array, final: boolean): Uint8Array[] => {
    try {
      for (const piece of walker.push(chunk)) feed(piece);
      if (final) walker.end();
    } catch (err) {
      if (err instanceof ZstdError) throw err;
      const what = err instanceof ZstdFrameError ? '' : 'zstd stream decompression failed: ';
      throw new ZstdError(`${what}${(err as Error).message}`, { cause: err });
    }
    const ready = out;
    out = [];
    return ready;
  };
  return { push: (chunk) => run(chunk, false), end: () => run(new Uint8Array(0), true) };
}

/** Decompresses an async byte stream chunk by chunk. */
export async function* zstdDecompressStream(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const d = await createZstdDecompressor();
  for await (const chunk of source) yield* d.push(chunk);
  yield* d.end();
}
