import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeOhlcvColumns } from '../../dbn/decode';
import { encodeMetadata } from '../../dbn/metadata';
import { zstdCompress, zstdDecompress } from '../../dbn/zstd';
import { dataFile } from '../support/market-data-dir';
import { runCli } from '../support/run-cli';

/** A real recording: ES and NQ daily bars, 2010-06-06 to 2025-09-24, three zstd frames each with an XXH64 checksum. */
const ES_NQ_1D = dataFile('databento-es-nq-1d', 'glbx-mdp3-20100606-20250924.ohlcv-1d.dbn.zst');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'dbn-integrity-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cli dbn decode: zstd frame checksums', () => {
  it('decodes the intact recording (checksummed frames pass)', async () => {
    const r = await runCli(['dbn', 'decode', ES_NQ_1D]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = decodeOhlcvColumns(readFileSync(ES_NQ_1D)).columns.length;
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(rows + 1);
  });

  it('fails with DBN_ZSTD_CHECKSUM naming the file when one byte of the compressed payload is flipped', async () => {
    // test-only corruption of a real recording: the low bit of one byte inside the third frame's compressed
    // blocks. The frame still decompresses, to one NQU5 bar with wrong prices; only its checksum tells.
    const bytes = readFileSync(ES_NQ_1D);
    bytes[900_000] ^= 0x01;
    expect(() => zstdDecompress(bytes)).toThrow(/checksum/); // libzstd, as `zstd -t`, sees the mismatch
    const file = path.join(dir, 'es-nq-1d.flipped.dbn.zst');
    writeFileSync(file, bytes);
    for (const encoding of ['csv', 'json']) {
      const r = await runCli(['dbn', 'decode', file, '--encoding', encoding]);
      expect(r.code, encoding).not.toBe(0);
      expect(r.stderr, encoding).toContain('[DBN_ZSTD_CHECKSUM]');
      expect(r.stderr, encoding).toContain(file);
      expect(r.stderr, encoding).toMatch(/corrupt.*re-download/);
    }
  });
});

/**
 * Constructed test bytes, no market values: a DBN v3 metadata header whose symbol list (placeholder names
 * `SYM0`, `SYM1`, ...) makes it ~200 MB, as a request for millions of symbols would.
 */
function hugeHeader(): { bytes: Uint8Array; symbols: number } {
  const symbols = 2_800_000;
  const bytes = encodeMetadata({ dataset: 'GLBX.MDP3', schema: 'ohlcv-1d', start: 0n, symbols: Array.from({ length: symbols }, (_, i) => `SYM${i}`) });
  return { bytes, symbols };
}

describe('cli dbn decode: a ~200 MB metadata header', () => {
  let header: { bytes: Uint8Array; symbols: number };
  beforeAll(() => {
    header = hugeHeader();
    expect(header.bytes.length).toBeGreaterThan(195_000_000);
  });

  it('decodes (a valid file with no records prints the CSV header only)', async () => {
    const file = path.join(dir, 'huge-header.dbn.zst');
    writeFileSync(file, zstdCompress(header.bytes));
    const r = await runCli(['dbn', 'decode', file], {}, 90_000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('ts_event,rtype,publisher_id,instrument_id,open,high,low,close,volume,symbol\n');
  }, 100_000);

  it('fails with DBN_TRUNCATED when the file ends inside the header', async () => {
    const declared = header.bytes.length - 8;
    const kept = 100_000_000;
    for (const [name, bytes] of [
      ['truncated-header.dbn', header.bytes.subarray(0, kept)],
      ['truncated-header.dbn.zst', zstdCompress(header.bytes.subarray(0, kept))],
    ] as const) {
      const file = path.join(dir, name);
      writeFileSync(file, bytes);
      const r = await runCli(['dbn', 'decode', file], {}, 90_000);
      expect(r.code, name).not.toBe(0);
      expect(r.stderr, name).toContain('[DBN_TRUNCATED]');
      expect(r.stderr, name).toContain(file);
      expect(r.stderr, name).toContain(`metadata header declares ${declared} bytes but the input ends after ${kept - 8}`);
    }
  }, 200_000);
});
