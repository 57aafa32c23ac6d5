import { readFileSync } from 'node:fs';
import { Decoder, Encoder } from '@toondepauw/node-zstd';
import { describe, expect, it } from 'vitest';
import { dataFile } from '../test/support/market-data-dir';
import { DbnRecordCounter } from './dbn-record-counter';

// real Databento bytes: 2,288 mbp-1 records (80 B each), DBN v1, ESU4 2024-07-01
const compressed = readFileSync(
  dataFile('databento-samples/nautilus_trader/historical_bars_catalog/databento/futures_mbp-1_2024-07-01T23-58_2024-07-02T00-02.dbn.zst'),
);
const raw = new Decoder().decodeSync(compressed);
const metadataEnd = 8 + raw.readUInt32LE(4);
const RECORD = 80;

function count(chunks: Uint8Array[]): number | undefined {
  const c = new DbnRecordCounter();
  for (const ch of chunks) c.push(ch);
  return c.completeRecords;
}

function splitEvery(buf: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, Math.min(buf.length, i + size)));
  return out;
}

describe('DbnRecordCounter', () => {
  it('counts every record of a whole real file, compressed or not, however it is chunked', () => {
    expect(raw[0]).toBe(0x44); // "DBN"
    expect((raw.length - metadataEnd) / RECORD).toBe(2288);
    expect(count([raw])).toBe(2288);
    expect(count([compressed])).toBe(2288);
    expect(count(splitEvery(raw, 1))).toBe(2288);
    expect(count(splitEvery(compressed, 3))).toBe(2288);
  });

  it('counts only complete records of a truncated copy of real bytes', () => {
    for (const cut of [0, 5, metadataEnd - 1, metadataEnd, metadataEnd + 79, metadataEnd + 80, metadataEnd + 80 * 1000 + 13, raw.length - 1]) {
      const truncatedCopyOfRealBytes = raw.subarray(0, cut);
      const expected = Math.max(0, Math.floor((cut - metadataEnd) / RECORD));
      expect(count(splitEvery(truncatedCopyOfRealBytes, 997)), `cut at ${cut}`).toBe(expected);
    }
  });

  it('counts the blocks that decompressed from a truncated zstd stream', () => {
    // recompress the real DBN with small blocks' worth of frames so a cut lands mid-stream
    const frames = splitEvery(raw, 16_384).map((part) => new Encoder(3).encodeSync(Buffer.from(part)));
    const multiFrame = Buffer.concat(frames);
    expect(count([multiFrame])).toBe(2288);
    const firstThreeFrames = frames.slice(0, 3).reduce((n, f) => n + f.length, 0);
    const truncatedCopyOfRealBytes = multiFrame.subarray(0, firstThreeFrames + 10);
    expect(count(splitEvery(truncatedCopyOfRealBytes, 4096))).toBe(Math.floor((3 * 16_384 - metadataEnd) / RECORD));
  });

  it('is undefined for bytes that are not DBN', () => {
    const csv = readFileSync(dataFile('databento-nq/ohlcv-1h/glbx-mdp3-20100606-20251231.ohlcv-1h.csv.zst')).subarray(0, 200_000);
    expect(count([csv])).toBeUndefined();
  });
});
