import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { createZstdDecompressor, isZstd, zstdCompress, zstdDecompress, zstdDecompressStream } from './zstd';
import { decodeDbn, decodeDbnStream } from './decode';
import { encodeMetadata, encodeRecordsOnly } from './encode';
import { samplePath } from './test-samples';
import type { DbnRecord } from './records';

const MBP1 = 'nautilus_trader/historical_bars_catalog/databento/futures_mbp-1_2024-07-01T23-58_2024-07-02T00-02.dbn.zst';

async function* chunks(b: Uint8Array, size: number) {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

describe('zstd', () => {
  const { metadata, records } = decodeDbn(readFileSync(samplePath(MBP1)));
  const head = encodeMetadata(metadata);
  const first = records.slice(0, 1000);
  const second = records.slice(1000);
  // two independent zstd frames of real records: [metadata + first 1000] [remaining 1288]
  const frameA = zstdCompress(Buffer.concat([head, encodeRecordsOnly(first)]));
  const frameB = zstdCompress(encodeRecordsOnly(second), 19);
  const skippable = new Uint8Array([0x5e, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 0xaa, 0xbb, 0xcc]); // a skippable frame
  const multi = Buffer.concat([frameA, skippable, frameB]);

  it('detects zstd and skippable frame magics', () => {
    expect(isZstd(frameA)).toBe(true);
    expect(isZstd(skippable)).toBe(true);
    expect(isZstd(head)).toBe(false);
  });

  it('decodes the concatenation of two frames to the concatenated records (whole buffer)', () => {
    const out = decodeDbn(multi);
    expect(out.records).toHaveLength(2288);
    expect(out.records).toEqual(records);
  });

  it('the streaming decompressor continues across frames at any chunking', async () => {
    const whole = zstdDecompress(multi);
    for (const size of [1, 13, 1024, multi.length]) {
      const parts: Uint8Array[] = [];
      for await (const c of zstdDecompressStream(chunks(multi, size))) parts.push(c);
      expect(Buffer.concat(parts).equals(Buffer.from(whole)), `chunk ${size}`).toBe(true);
    }
    const got: DbnRecord[] = [];
    for await (const item of decodeDbnStream(chunks(multi, 777))) if ('records' in item) got.push(...item.records);
    expect(got).toEqual(records);
  });

  it('fails loudly when the stream ends inside a frame', () => {
    const d = createZstdDecompressor();
    d.push(multi.subarray(0, frameA.length - 5));
    expect(() => d.end()).toThrow(/zstd/);
    expect(() => zstdDecompress(multi.subarray(0, frameA.length - 5))).toThrow(/zstd/);
  });
});
