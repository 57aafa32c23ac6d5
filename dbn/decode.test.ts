import { readFileSync } from 'node:fs';
import { describe, it, expect, vi } from 'vitest';
import { decodeDbn, decodeOhlcvColumns, decodeDbnStream, decodeOhlcvStream, readDbnFile, readOhlcvFile } from './decode';
import { DbnDecodeError } from './dbn-decode-error';
import { zstdDecompress } from './zstd';
import { encodeMetadata } from './metadata';
import type { DbnRecord, InstrumentDefMsg, OhlcvMsg, StatMsg } from './records';
import { allSampleFiles, provenanceSamples, samplePath } from './test-samples';
import { formatTsNs } from '../domain/time';

const ES_1D = 'databento-python/GLBX.MDP3/test_data.ohlcv-1d.dbn.zst';

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function collect(source: AsyncIterable<Uint8Array>) {
  let metadata;
  const records: DbnRecord[] = [];
  for await (const item of decodeDbnStream(source)) {
    if ('metadata' in item) metadata = item.metadata;
    else records.push(...item.records);
  }
  return { metadata, records };
}

describe('decodeDbn on real Databento samples', () => {
  it('decodes the ESH1 ohlcv-1d bar exactly', async () => {
    const { metadata, records } = await readDbnFile(samplePath(ES_1D));
    expect(metadata).toMatchObject({ version: 3, dataset: 'GLBX.MDP3', schema: 'ohlcv-1d', stype_in: 'raw_symbol', stype_out: 'instrument_id', symbols: ['ESH1'] });
    expect(metadata.mappings).toEqual([{ raw_symbol: 'ESH1', intervals: [{ start_date: '2020-12-28', end_date: '2020-12-29', symbol: '5482' }] }]);
    expect(records).toHaveLength(1);
    const bar = records[0] as OhlcvMsg;
    expect(bar.kind).toBe('ohlcv');
    expect(bar.hd).toEqual({ length: 14, rtype: 35, publisher_id: 1, instrument_id: 5482, ts_event: 1609113600000000000n });
    expect(formatTsNs(bar.hd.ts_event)).toBe('2020-12-28T00:00:00.000000000Z');
    expect([bar.open, bar.high, bar.low, bar.close, bar.volume]).toEqual([3702750000000n, 3735000000000n, 3697250000000n, 3735000000000n, 718174n]);
  });

  it('decodes every sample under databento-samples with the record counts and versions in PROVENANCE.md', async () => {
    const table = provenanceSamples();
    const files = allSampleFiles();
    expect(table.length).toBeGreaterThan(80);
    expect(files.sort()).toEqual(table.map((r) => r.file).sort());
    for (const row of table) {
      const { metadata, records } = await readDbnFile(samplePath(row.file));
      expect(metadata.version, row.file).toBe(row.version);
      expect(metadata.dataset, row.file).toBe(row.dataset);
      if (row.schema !== 'mixed') expect(metadata.schema, row.file).toBe(row.schema);
      expect(records.length, row.file).toBe(row.records);
    }
  });

  it('decodes v1, v2 and v3 copies of each schema to equal records', async () => {
    const schemas = ['mbo', 'mbp-1', 'mbp-10', 'tbbo', 'trades', 'ohlcv-1s', 'ohlcv-1m', 'ohlcv-1h', 'bbo-1s', 'bbo-1m', 'cbbo-1s', 'cmbp-1', 'status'];
    for (const schema of schemas) {
      const versions = [1, 2, 3].map((v) => `dbn/test_data.${schema}.v${v}.dbn.zst`).filter((f) => allSampleFiles().includes(f));
      expect(versions.length, schema).toBeGreaterThanOrEqual(2);
      const decoded = await Promise.all(versions.map(async (f) => (await readDbnFile(samplePath(f))).records));
      expect(decoded[0].length, schema).toBeGreaterThan(0);
      for (const other of decoded.slice(1)) expect(other, schema).toEqual(decoded[0]);
    }
  });

  it('statistics v1/v2 (64 B, i32 quantity) and v3 (80 B, i64 quantity) agree on shared fields', async () => {
    const [v1, v2, v3] = await Promise.all(
      [1, 2, 3].map(async (v) => (await readDbnFile(samplePath(`dbn/test_data.statistics.v${v}.dbn.zst`))).records as StatMsg[]),
    );
    expect(v1).toEqual(v2);
    expect(v3).toHaveLength(v1.length);
    v3.forEach((r, i) => {
      const old = v1[i];
      const { hd: _a, quantity: qa, ...restNew } = r;
      const { hd: _b, quantity: qb, ...restOld } = old;
      expect(restNew).toEqual(restOld);
      expect(r.hd.instrument_id).toBe(old.hd.instrument_id);
      // UNDEF_STAT_QUANTITY is i32::MAX before v3 and i64::MAX in v3
      expect(qa === qb || (qb === 2147483647n && qa === 9223372036854775807n)).toBe(true);
    });
  });

  it('definition v1/v2/v3 of XNAS MSFT agree on shared fields', async () => {
    const [v1, v2, v3] = await Promise.all(
      [1, 2, 3].map(async (v) => (await readDbnFile(samplePath(`dbn/test_data.definition.v${v}.dbn.zst`))).records as InstrumentDefMsg[]),
    );
    expect(v1).toHaveLength(2);
    const shared = [
      'ts_recv', 'min_price_increment', 'display_factor', 'expiration', 'activation', 'high_limit_price', 'low_limit_price',
      'unit_of_measure_qty', 'raw_symbol', 'exchange', 'asset', 'cfi', 'security_type', 'instrument_class', 'currency',
      'maturity_year', 'maturity_month', 'maturity_day', 'underlying', 'contract_multiplier', 'strike_price', 'group',
    ] as const;
    for (let i = 0; i < 2; i++) {
      for (const f of shared) {
        expect(v2[i][f], `v2 ${f}`).toEqual(v1[i][f]);
        expect(v3[i][f], `v3 ${f}`).toEqual(v1[i][f]);
      }
      expect(BigInt(v3[i].raw_instrument_id)).toBe(BigInt(v1[i].raw_instrument_id));
      expect(v1[i].hd.instrument_id).toBe(v3[i].hd.instrument_id);
    }
    expect(v1[0].raw_symbol).toBe('MSFT');
  });

  it('decodes the GLBX ESH1 definition (v3) fields', async () => {
    const { records } = await readDbnFile(samplePath('databento-python/GLBX.MDP3/test_data.definition.dbn.zst'));
    const d = records[0] as InstrumentDefMsg;
    expect(d).toMatchObject({
      kind: 'definition',
      raw_symbol: 'ESH1',
      asset: 'ES',
      group: 'ES',
      exchange: 'XCME',
      security_type: 'FUT',
      cfi: 'FFIXSX',
      instrument_class: 'F',
      currency: 'USD',
      min_price_increment: 250000000n,
      display_factor: 10000000n,
      unit_of_measure_qty: 50000000000n,
      contract_multiplier: 2147483647,
    });
    expect(formatTsNs(d.expiration)).toBe('2021-03-19T13:30:00.000000000Z');
  });

  it('v1 GLBX definitions (nautilus) decode raw symbols, classes and expirations', async () => {
    const { records } = await readDbnFile(samplePath('nautilus_trader/historical_bars_catalog/databento/futures_definition.dbn.zst'));
    const defs = records as InstrumentDefMsg[];
    expect(defs.map((d) => d.raw_symbol).sort()).toEqual(['ESU4', 'NQU4']);
    for (const d of defs) {
      expect(d.instrument_class).toBe('F');
      expect(d.maturity_year).toBe(2024);
      expect(d.maturity_month).toBe(9);
      expect(formatTsNs(d.expiration).slice(0, 10)).toBe('2024-09-20');
    }
  });
});

describe('decodeOhlcvColumns (fast path)', () => {
  it('matches the record decoder on v1, v2 (unaligned) and v3 files', async () => {
    for (const f of [
      'dbn/test_data.ohlcv-1m.v1.dbn.zst',
      'dbn/test_data.ohlcv-1m.dbn',
      'dbn/test_data.ohlcv-1h.v3.dbn.zst',
      'nautilus_trader/historical_bars_catalog/databento/futures_ohlcv-1m_2024-07-01T23-40_2024-07-02T00-10.dbn.zst',
      'databento-python/LIVE/test_data.live.dbn.zst',
    ]) {
      const { records } = await readDbnFile(samplePath(f));
      const bars = records.filter((r): r is OhlcvMsg => r.kind === 'ohlcv');
      const { columns } = await readOhlcvFile(samplePath(f));
      expect(columns.length, f).toBe(bars.length);
      bars.forEach((b, i) => {
        expect(columns.ts_event[i]).toBe(b.hd.ts_event);
        expect(columns.instrument_id[i]).toBe(b.hd.instrument_id);
        expect(columns.rtype[i]).toBe(b.hd.rtype);
        expect(columns.publisher_id[i]).toBe(b.hd.publisher_id);
        expect([columns.open[i], columns.high[i], columns.low[i], columns.close[i], columns.volume[i]]).toEqual([b.open, b.high, b.low, b.close, b.volume]);
      });
    }
  });
});

describe('streaming decode', () => {
  it('gives the same records for zstd and plain input at any chunk size', async () => {
    for (const f of ['databento-python/LIVE/test_data.live.dbn.zst', 'nautilus_trader/historical_bars_catalog/databento/futures_mbp-1_2024-07-01T23-58_2024-07-02T00-02.dbn.zst']) {
      const zst = readFileSync(samplePath(f));
      const whole = decodeDbn(zst);
      for (const size of f.includes('LIVE') ? [1, 7, 64, 4096] : [7, 4096]) {
        for (const input of [zst, zstdDecompress(zst)]) {
          const got = await collect(chunked(input, size));
          expect(got.metadata).toEqual(whole.metadata);
          expect(got.records).toEqual(whole.records);
        }
      }
    }
  });

  it('decodeOhlcvStream yields column batches equal to the whole-buffer fast path', async () => {
    const f = samplePath('nautilus_trader/historical_bars_catalog/databento/futures_ohlcv-1m_2024-07-01T23-40_2024-07-02T00-10.dbn.zst');
    const bytes = readFileSync(f);
    const whole = decodeOhlcvColumns(bytes);
    const ts: bigint[] = [];
    const close: bigint[] = [];
    for await (const item of decodeOhlcvStream(chunked(bytes, 100))) {
      if ('columns' in item) {
        ts.push(...item.columns.ts_event);
        close.push(...item.columns.close);
      }
    }
    expect(ts).toEqual([...whole.columns.ts_event]);
    expect(close).toEqual([...whole.columns.close]);
  });
});

describe('decode errors', () => {
  const raw = new Uint8Array(zstdDecompress(readFileSync(samplePath('databento-python/GLBX.MDP3/test_data.ohlcv-1h.dbn.zst'))));
  const metaLen = 8 + new DataView(raw.buffer, raw.byteOffset).getUint32(4, true);

  it('names the byte offset and the complete records before a truncated record', async () => {
    // test-only corruption: a truncated copy of real sample bytes (2 whole records + 20 bytes of the third)
    const truncatedCopyOfRealBytes = raw.slice(0, metaLen + 2 * 56 + 20);
    for (const run of [
      () => decodeDbn(truncatedCopyOfRealBytes),
      () => decodeOhlcvColumns(truncatedCopyOfRealBytes),
      () => collect(chunked(truncatedCopyOfRealBytes, 50)),
    ]) {
      let err: unknown;
      try {
        await run();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DbnDecodeError);
      const e = err as DbnDecodeError;
      expect(e.code).toBe('DBN_TRUNCATED');
      expect(e.offset).toBe(metaLen + 112);
      expect(e.recordsBefore).toBe(2);
      expect(e.message).toBe(`truncated record at byte ${metaLen + 112}: 2 complete records before it`);
    }
  });

  it('rejects a corrupted magic and truncated metadata', () => {
    const corruptedMagicTestOnly = raw.slice();
    corruptedMagicTestOnly[0] = 0x58; // 'X'
    expect(() => decodeDbn(corruptedMagicTestOnly)).toThrow(expect.objectContaining({ code: 'DBN_BAD_MAGIC', offset: 0 }));
    expect(() => decodeDbn(raw.slice(0, 40))).toThrow(expect.objectContaining({ code: 'DBN_TRUNCATED', recordsBefore: 0 }));
  });

  it('reports a truncated zstd stream as a decode error', async () => {
    const zst = readFileSync(samplePath('databento-python/GLBX.MDP3/test_data.ohlcv-1h.dbn.zst'));
    const truncatedCopyOfRealBytes = zst.subarray(0, zst.length - 10);
    expect(() => decodeDbn(truncatedCopyOfRealBytes)).toThrow(DbnDecodeError);
    await expect(collect(chunked(truncatedCopyOfRealBytes, 16))).rejects.toThrow(DbnDecodeError);
  });
});

describe('a large metadata header', () => {
  /** Constructed test bytes, no market values: a ~16 MB DBN v3 header of placeholder symbols (`SYM0`, `SYM1`, ...). */
  const symbols = Array.from({ length: 230_000 }, (_, i) => `SYM${i}`);
  const header = encodeMetadata({ dataset: 'GLBX.MDP3', schema: 'ohlcv-1d', start: 0n, symbols });

  /** Bytes copied with Uint8Array#set (how chunks are joined) while `run` decodes. */
  async function bytesCopied(run: () => Promise<void>): Promise<number> {
    const set = vi.spyOn(Uint8Array.prototype, 'set');
    try {
      await run();
      return set.mock.calls.reduce((sum, [source]) => sum + ((source as ArrayLike<number>).length ?? 0), 0);
    } finally {
      set.mockRestore();
    }
  }

  it('streams in 64 KiB chunks with a bounded number of copies (linear, not one join per chunk)', async () => {
    expect(header.length).toBeGreaterThan(16_000_000);
    let got: string[] = [];
    const copied = await bytesCopied(async () => {
      for await (const item of decodeDbnStream(chunked(header, 65_536))) if ('metadata' in item) got = item.metadata.symbols;
    });
    expect(got).toEqual(symbols);
    expect(copied).toBeLessThanOrEqual(2 * header.length);
  });

  it('a stream that ends inside it fails with DBN_TRUNCATED saying how much was declared and read', async () => {
    const kept = 5_000_000;
    let err: unknown;
    try {
      await collect(chunked(header.subarray(0, kept), 65_536));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DbnDecodeError);
    expect((err as DbnDecodeError).code).toBe('DBN_TRUNCATED');
    expect((err as DbnDecodeError).message).toContain(`metadata header declares ${header.length - 8} bytes but the input ends after ${kept - 8}`);
  });
});
