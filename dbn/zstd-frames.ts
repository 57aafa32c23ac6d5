/** A run of one zstd frame's compressed bytes, in stream order; `start` opens the frame, `end` closes it. */
export interface ZstdFramePiece {
  bytes: Uint8Array;
  start: boolean;
  end: boolean;
  /** 1-based number of the frame in the stream (skippable frames not counted) */
  frame: number;
  /** offset of the frame's first byte in the compressed stream */
  frameOffset: number;
  /** on the end piece: the stored content checksum (the low 32 bits of XXH64), null when the frame has none */
  checksum: number | null;
}

type Step = 'magic' | 'descriptor' | 'header' | 'block-header' | 'block' | 'checksum' | 'skip-size' | 'skip';

/** Zstandard frame magic 0xFD2FB528, skippable frames 0x184D2A50..5F (RFC 8878 §3.1). */
const FRAME_MAGIC = 0xfd2fb528;
const SKIPPABLE_MAGIC = 0x184d2a50;
/** bytes of the fields read (not just passed through): at most the header after the descriptor, 1 + 4 + 8 */
const FIELD_BYTES = 13;

const u32 = (b: Uint8Array, at: number): number => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;

/** Thrown for bytes that are not a zstd frame sequence; `ZstdFrameWalker` knows nothing of decompression errors. */
export class ZstdFrameError extends Error {
  override readonly name = 'ZstdFrameError';
}

/**
 * Walks concatenated zstd frames without decompressing them (RFC 8878 §3.1): tells which compressed bytes belong
 * to which frame, where each frame ends and the content checksum it ends with. Reads only the frame header,
 * the 3-byte block headers and the checksum; block contents pass through as views of the pushed chunks.
 * Skippable frames are dropped.
 */
export class ZstdFrameWalker {
  private step: Step = 'magic';
  private need = 4;
  private readonly field = new Uint8Array(FIELD_BYTES);
  private have = 0;
  private offset = 0;
  private frames = 0;
  private frameOffset = 0;
  private hasChecksum = false;
  private lastBlock = false;

  /** Consumes `chunk`; returns the pieces of frames in it (views of `chunk`, and a copy of each frame's magic). */
  push(chunk: Uint8Array): ZstdFramePiece[] {
    const pieces: ZstdFramePiece[] = [];
    const piece = (bytes: Uint8Array, start: boolean, end: boolean, checksum: number | null) =>
      pieces.push({ bytes, start, end, frame: this.frames, frameOffset: this.frameOffset, checksum });
    let pos = 0;
    let from = 0; // the current frame's first byte in `chunk` not yet handed out
    for (;;) {
      if (this.need === 0) {
        const event = this.advance();
        if (event === 'start') piece(this.field.slice(0, 4), true, false, null);
        if (event === 'start' || event === 'skip') from = pos;
        if (event !== null && typeof event === 'object') {
          piece(chunk.subarray(from, pos), false, true, event.checksum);
          from = pos;
        }
        continue;
      }
      if (pos === chunk.length) break;
      const n = Math.min(this.need, chunk.length - pos);
      if (this.step !== 'block' && this.step !== 'skip') this.field.set(chunk.subarray(pos, pos + n), this.have);
      this.have += n;
      this.need -= n;
      this.offset += n;
      pos += n;
    }
    if (this.inFrame && pos > from) piece(chunk.subarray(from, pos), false, false, null);
    return pieces;
  }

  /** Throws unless the input so far ended between frames. */
  end(): void {
    if (this.step !== 'magic' || this.have !== 0) {
      throw new ZstdFrameError(`zstd stream ends inside a frame (${this.step} at compressed byte ${this.offset})`);
    }
  }

  private get inFrame(): boolean {
    return this.step !== 'magic' && this.step !== 'skip-size' && this.step !== 'skip';
  }

  private expect(step: Step, bytes: number): void {
    this.step = step;
    this.need = bytes;
    this.have = 0;
  }

  /** Acts on the step just completed; says when a frame starts or ends, or the bytes after a magic are skipped. */
  private advance(): 'start' | 'skip' | { checksum: number | null } | null {
    const f = this.field;
    switch (this.step) {
      case 'magic': {
        const magic = u32(f, 0);
        if (magic === FRAME_MAGIC) {
          this.frames++;
          this.frameOffset = this.offset - 4;
          this.expect('descriptor', 1);
          return 'start';
        }
        if ((magic & 0xfffffff0) >>> 0 !== SKIPPABLE_MAGIC) {
          throw new ZstdFrameError(`not a zstd frame at compressed byte ${this.offset - 4}: magic 0x${magic.toString(16).padStart(8, '0')}`);
        }
        this.expect('skip-size', 4);
        return 'skip';
      }
      case 'descriptor':
        return this.descriptor(f[0]);
      case 'header':
        this.expect('block-header', 3);
        return null;
      case 'block-header':
        return this.blockHeader(f[0] | (f[1] << 8) | (f[2] << 16));
      case 'block':
        if (!this.lastBlock) this.expect('block-header', 3);
        else if (this.hasChecksum) this.expect('checksum', 4);
        else return this.frameEnd(null);
        return null;
      case 'checksum':
        return this.frameEnd(u32(f, 0));
      case 'skip-size':
        this.expect('skip', u32(f, 0));
        return null;
      case 'skip':
        this.expect('magic', 4);
        return null;
    }
  }

  /** Frame_Header_Descriptor: the rest of the header is the window descriptor, dictionary id and content size. */
  private descriptor(fhd: number): null {
    if (fhd & 0x08) throw new ZstdFrameError(`zstd frame ${this.frames} sets the reserved descriptor bit`);
    this.hasChecksum = (fhd & 0x04) !== 0;
    const singleSegment = (fhd & 0x20) !== 0;
    const sizeFlag = fhd >> 6;
    const rest = (singleSegment ? 0 : 1) + [0, 1, 2, 4][fhd & 3] + (sizeFlag === 0 ? (singleSegment ? 1 : 0) : 1 << sizeFlag);
    if (rest > 0) this.expect('header', rest);
    else this.expect('block-header', 3);
    return null;
  }

  /** Block_Header: last-block bit, type (raw, RLE, compressed, reserved) and size. */
  private blockHeader(header: number): null {
    this.lastBlock = (header & 1) === 1;
    const type = (header >> 1) & 3;
    if (type === 3) throw new ZstdFrameError(`zstd frame ${this.frames} has a block of reserved type at compressed byte ${this.offset - 3}`);
    this.expect('block', type === 1 ? 1 : header >>> 3);
    return null;
  }

  private frameEnd(checksum: number | null): { checksum: number | null } {
    this.expect('magic', 4);
    return { checksum };
  }
}
