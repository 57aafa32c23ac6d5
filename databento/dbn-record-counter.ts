import { Decompress } from 'fzstd';

const ZSTD_MAGIC = 0xfd2fb528;
/** zstd skippable frames use magics 0x184D2A50..0x184D2A5F */
const isSkippableMagic = (m: number): boolean => (m & 0xfffffff0) === 0x184d2a50;

/**
 * Counts complete DBN records in a byte stream that may stop anywhere, zstd-compressed or not.
 * Only record boundaries are read (the length byte of each header), so it works for every schema;
 * used to report how many records arrived before a get_range body broke.
 */
export class DbnRecordCounter {
  #mode: 'detect' | 'zstd' | 'raw' | 'invalid' = 'detect';
  #pending: Uint8Array[] = [];
  #pendingLen = 0;
  #zstd?: Decompress;
  #received = 0;
  #header = new Uint8Array(8);
  #headerLen = 0;
  #next = -1;
  #pendingEnd = -1;
  #count = 0;

  /** Feeds the next bytes exactly as they arrived on the wire. */
  push(chunk: Uint8Array): void {
    if (this.#mode === 'invalid') return;
    if (this.#mode === 'detect') {
      this.#pending.push(chunk);
      this.#pendingLen += chunk.length;
      if (this.#pendingLen < 4) return;
      const head = Buffer.concat(this.#pending);
      this.#pending = [];
      const magic = head.readUInt32LE(0);
      if (magic === ZSTD_MAGIC || isSkippableMagic(magic)) {
        this.#mode = 'zstd';
        this.#zstd = new Decompress((data) => this.#consume(data));
      } else {
        this.#mode = 'raw';
      }
      chunk = head;
    }
    if (this.#mode === 'zstd') {
      try {
        this.#zstd!.push(chunk, false);
      } catch {
        this.#mode = 'invalid'; // corrupt compressed data: the count so far stands
      }
    } else if (this.#mode === 'raw') {
      this.#consume(chunk);
    }
  }

  /** Complete records so far; undefined when the stream is not DBN at all. */
  get completeRecords(): number | undefined {
    if (this.#headerLen === 8 && this.#next < 0) return undefined;
    return this.#count;
  }

  #consume(data: Uint8Array): void {
    if (this.#mode === 'invalid') return;
    const start = this.#received;
    this.#received += data.length;
    if (this.#headerLen < 8) {
      const take = Math.min(8 - this.#headerLen, data.length);
      this.#header.set(data.subarray(0, take), this.#headerLen);
      this.#headerLen += take;
      if (this.#headerLen < 8) return;
      const h = this.#header;
      if (h[0] !== 0x44 || h[1] !== 0x42 || h[2] !== 0x4e) {
        this.#mode = 'invalid'; // not "DBN"
        return;
      }
      this.#next = 8 + (h[4] | (h[5] << 8) | (h[6] << 16)) + h[7] * 0x1000000;
    }
    for (;;) {
      if (this.#pendingEnd >= 0) {
        if (this.#received < this.#pendingEnd) return;
        this.#count++;
        this.#next = this.#pendingEnd;
        this.#pendingEnd = -1;
      }
      if (this.#next < 0 || this.#next >= this.#received) return;
      const words = data[this.#next - start];
      if (words === 0) {
        this.#mode = 'invalid'; // a zero-length record cannot be walked past
        return;
      }
      this.#pendingEnd = this.#next + words * 4;
    }
  }
}
