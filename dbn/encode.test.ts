import { describe, it, expect } from 'vitest';
import { decodeDbn, decodeOhlcvColumns, readDbnFile, readOhlcvFile } from './decode';
import { encodeMetadata, encodeOhlcvColumns, encodeRecords } from './encode';
import { decodeMetadata } from './metadata';
import { allSampleFiles, samplePath } from './test-samples';
import type { DbnRecord } from './records';

/** Drops fields DBN v3 cannot carry (v1/v2 `legacy` definition fields) so records compare after re-encoding. */
function v3View(r: DbnRecord): DbnRecord {
  if (r.kind !== 'definition') return r;
  const { legacy: _legacy, ...rest } = r;
  return { ...rest, hd: { ...rest.hd, length: 520 / 4 }, raw_instrument_id: BigInt(rest.raw_instrument_id) };
}

describe('encode → decode round trips on real sample records', () => {
  it('re-encodes every v3 sample schema (and the mixed LIVE file) to identical records and metadata', async () => {
    const files = allSampleFiles().filter((f) => f.startsWith('databento-python/') || f.endsWith('.v3.dbn.zst'));
    expect(files.length).toBeGreaterThanOrEqual(28);
    for (const f of files) {
      const { metadata, records } = await readDbnFile(samplePath(f));
      const bytes = encodeRecords(metadata, records);
      const again = decodeDbn(bytes);
      expect(again.metadata, f).toEqual({ ...metadata, version: 3 });
      expect(again.records, f).toEqual(records);
    }
  });

  it('upgrades v1 definitions to the v3 layout keeping every v3 field', async () => {
    const f = 'nautilus_trader/futures_settlement/databento/futures_settlement_definition.dbn.zst';
    const { metadata, records } = await readDbnFile(samplePath(f));
    expect(metadata.version).toBe(1);
    const again = decodeDbn(encodeRecords({ ...metadata, symbol_cstr_len: 71 }, records));
    expect(again.metadata.version).toBe(3);
    expect(again.records).toEqual(records.map(v3View));
  });

  it('metadata encodes byte for byte like Databento (v3 sample, 8-byte padding)', async () => {
    const { readFileSync } = await import('node:fs');
    const { zstdDecompress } = await import('./zstd');
    for (const f of ['databento-python/GLBX.MDP3/test_data.ohlcv-1d.dbn.zst', 'databento-python/GLBX.MDP3/test_data.definition.dbn.zst']) {
      const raw = zstdDecompress(readFileSync(samplePath(f)));
      const { metadata, recordsOffset } = decodeMetadata(raw);
      const head = encodeMetadata(metadata);
      expect(head.length % 8).toBe(0);
      expect(Buffer.from(head).equals(Buffer.from(raw.subarray(0, recordsOffset))), f).toBe(true);
    }
  });

  it('encodeOhlcvColumns writes 56-byte records that decode to the same columns (v1 nautilus ESU4/NQU4 bars)', async () => {
    const { metadata, columns } = await readOhlcvFile(
      samplePath('nautilus_trader/historical_bars_catalog/databento/futures_ohlcv-1m_2024-07-01T23-40_2024-07-02T00-10.dbn.zst'),
    );
    expect(columns.length).toBe(60);
    const bytes = encodeOhlcvColumns(metadata, columns);
    const head = encodeMetadata(metadata);
    expect(bytes.length).toBe(head.length + 60 * 56);
    const again = decodeOhlcvColumns(bytes);
    expect(again.metadata.version).toBe(3);
    expect(again.metadata.symbols).toEqual(metadata.symbols);
    for (const k of ['rtype', 'publisher_id', 'instrument_id', 'ts_event', 'open', 'high', 'low', 'close', 'volume'] as const) {
      expect([...again.columns[k]], k).toEqual([...columns[k]]);
    }
  });
});
