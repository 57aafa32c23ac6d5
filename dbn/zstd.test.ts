import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { createZstdDecompressor, isZstd, zstdCompress, zstdDecompress, zstdDecompressStream, ZstdError } from './zstd';
import { decodeDbn, decodeDbnStream, decodeOhlcvStream } from './decode';
import { DbnDecodeError } from './dbn-decode-error';
import { dataFile } from '../test/support/market-data-dir';
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

  it('fails loudly when the stream ends inside a frame', async () => {
    const d = await createZstdDecompressor();
    d.push(multi.subarray(0, frameA.length - 5));
    expect(() => d.end()).toThrow(/zstd/);
    expect(() => zstdDecompress(multi.subarray(0, frameA.length - 5))).toThrow(/zstd/);
  });
});

/** A real recording in three zstd frames, each with an XXH64 content checksum (ES and NQ daily bars). */
const ES_NQ_1D = () => readFileSync(dataFile('databento-es-nq-1d', 'glbx-mdp3-20100606-20250924.ohlcv-1d.dbn.zst'));

async function streamAll(bytes: Uint8Array, size: number): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of zstdDecompressStream(chunks(bytes, size))) parts.push(c);
  return Buffer.concat(parts);
}

async function failure(run: () => Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await run();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a failure');
}

describe('zstd frame content checksums', () => {
  it('the streaming decompressor passes checksummed real frames at any chunking', async () => {
    for (const bytes of [ES_NQ_1D(), readFileSync(samplePath(MBP1))]) {
      expect(bytes[4] & 0x04, 'the first frame carries a checksum').toBe(0x04);
      const whole = Buffer.from(zstdDecompress(bytes));
      for (const size of [7, 4096, bytes.length]) expect((await streamAll(bytes, size)).equals(whole), `chunk ${size}`).toBe(true);
    }
  });

  it('a flipped payload byte fails the frame checksum: ZSTD_CHECKSUM streamed, DBN_ZSTD_CHECKSUM decoded', async () => {
    // test-only corruption of a real recording: one bit inside the third frame's compressed blocks. The frame still
    // decompresses (to one bar with wrong prices); only the content checksum shows it.
    const flipped = ES_NQ_1D();
    flipped[900_000] ^= 0x01;
    const streamed = await failure(() => streamAll(flipped, 65_536));
    expect(streamed).toBeInstanceOf(ZstdError);
    expect(streamed.code).toBe('ZSTD_CHECKSUM');
    expect(streamed.message).toMatch(/^zstd frame 3 .*content checksum.*corrupt.*re-download/);
    expect(() => zstdDecompress(flipped)).toThrow(expect.objectContaining({ code: 'ZSTD_CHECKSUM' }));
    expect(() => decodeDbn(flipped)).toThrow(expect.objectContaining({ name: 'DbnDecodeError', code: 'DBN_ZSTD_CHECKSUM' }));
    const decoded = await failure(async () => {
      for await (const item of decodeOhlcvStream(chunks(flipped, 65_536))) void item;
    });
    expect(decoded).toBeInstanceOf(DbnDecodeError);
    expect(decoded.code).toBe('DBN_ZSTD_CHECKSUM');
  });

  it('a flipped checksum byte fails the frame even though its content is intact', async () => {
    // test-only corruption of a real sample: the file's last byte is the top byte of its last frame's checksum
    const flipped = Buffer.from(readFileSync(samplePath(MBP1)));
    flipped[flipped.length - 1] ^= 0x80;
    for (const size of [1, 64, flipped.length]) {
      const err = await failure(() => streamAll(flipped, size));
      expect(err.code, `chunk ${size}`).toBe('ZSTD_CHECKSUM');
      expect(err.message).toMatch(/^zstd frame \d+ \(at compressed byte \d+\) fails its content checksum/);
    }
    const err = await failure(async () => {
      for await (const item of decodeDbnStream(chunks(flipped, 1000))) void item;
    });
    expect(err).toMatchObject({ name: 'DbnDecodeError', code: 'DBN_ZSTD_CHECKSUM' });
  });
});
