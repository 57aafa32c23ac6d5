import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { encodeMetadata } from './metadata';
import { DbnRecordFramer } from './record-framer';
import { zstdDecompress } from './zstd';
import { samplePath } from './test-samples';

function* chunked(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe('DbnRecordFramer', () => {
  it('splits a real sample into its metadata and whole records at any chunking', () => {
    const raw = zstdDecompress(readFileSync(samplePath('databento-python/GLBX.MDP3/test_data.ohlcv-1h.dbn.zst')));
    const metaLen = 8 + new DataView(raw.buffer, raw.byteOffset).getUint32(4, true);
    for (const size of [1, 7, 100, raw.length]) {
      const framer = new DbnRecordFramer();
      const records: Uint8Array[] = [];
      for (const c of chunked(raw, size)) records.push(framer.push(c));
      expect(Buffer.from(framer.metadata!).equals(Buffer.from(raw.subarray(0, metaLen))), `chunk ${size}`).toBe(true);
      expect(Buffer.concat(records).equals(Buffer.from(raw.subarray(metaLen))), `chunk ${size}`).toBe(true);
      expect(framer.trailingBytes).toBe(0);
    }
  });

  it('assembles a ~16 MB metadata header from 64 KiB chunks with a bounded number of copies', () => {
    // constructed test bytes, no market values: a DBN v3 header of placeholder symbols
    const header = encodeMetadata({ dataset: 'GLBX.MDP3', schema: 'ohlcv-1d', start: 0n, symbols: Array.from({ length: 230_000 }, (_, i) => `SYM${i}`) });
    const set = vi.spyOn(Uint8Array.prototype, 'set');
    const framer = new DbnRecordFramer();
    let copied: number;
    try {
      for (const c of chunked(header, 65_536)) expect(framer.push(c)).toHaveLength(0);
      copied = set.mock.calls.reduce((sum, [source]) => sum + ((source as ArrayLike<number>).length ?? 0), 0);
    } finally {
      set.mockRestore();
    }
    expect(Buffer.from(framer.metadata!).equals(Buffer.from(header))).toBe(true);
    expect(copied).toBeLessThanOrEqual(2 * header.length);
  });
});
