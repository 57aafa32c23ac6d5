import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  FredRecordingError,
  FredRecordingNotFoundError,
  listFredRecordings,
  mergeFredParts,
  parseFredCsv,
  readFredRecording,
} from '../../fred/read-fred-recording';
import { dataFile, marketDataDir } from '../support/market-data-dir';

// data rows per PROVENANCE.md §7 (DEXBZUS: 5,870 + 1,305 − 35 overlapping dates)
const EXPECTED_ROWS: Record<string, number> = {
  DGS10: 12_001, DGS2: 12_001, T10YIE: 6_000, VIXCLS: 9_477, DTWEXBGS: 5_300, DEXUSEU: 7_125, NFCI: 1_895,
  DCOILWTICO: 9_476, VXVCLS: 2_609, DEXCHUS: 11_167, DEXJPUS: 13_721, DEXBZUS: 5_870 + 1_305 - 35,
};

describe('readFredRecording over the real recordings', () => {
  it('finds exactly the 12 recorded series', async () => {
    expect(await listFredRecordings(marketDataDir())).toEqual(Object.keys(EXPECTED_ROWS).sort());
  });

  it.each(Object.entries(EXPECTED_ROWS))('%s has the documented row count, increasing dates, exact value text', async (id, rows) => {
    const rec = await readFredRecording(marketDataDir(), id);
    expect(rec.series_id).toBe(id);
    expect(rec.observations).toHaveLength(rows);
    for (let i = 1; i < rec.observations.length; i++) expect(rec.observations[i].date > rec.observations[i - 1].date).toBe(true);
    for (const o of rec.observations) if (o.value !== null) expect(o.value).toMatch(/^-?\d+(\.\d+)?$/);
  });

  it('keeps the exact text of values (VXVCLS 18.30 stays "18.30"), maps empty to null, strips CRLF', async () => {
    const vxv = await readFredRecording(marketDataDir(), 'VXVCLS');
    expect(vxv.observations[0]).toEqual({ date: '2016-03-28', value: '18.30' });
    const dgs = await readFredRecording(marketDataDir(), 'DGS10');
    expect(dgs.observations[0]).toEqual({ date: '1980-01-01', value: null });
    expect(dgs.observations[1]).toEqual({ date: '1980-01-02', value: '10.5' });
    const chus = await readFredRecording(marketDataDir(), 'DEXCHUS');
    expect(chus.observations.at(-1)).toEqual({ date: '2025-09-26', value: '7.1328' });
  });

  it('merges the two DEXBZUS files: 35 overlapping dates agree, "." and empty both mean missing', async () => {
    const older = parseFredCsv(await readFile(dataFile('fred', 'DEXBZUS_1999-2021.csv'), 'utf8'), 'DEXBZUS', 'older');
    const newer = parseFredCsv(await readFile(dataFile('fred', 'DEXBZUS_2021-2026.csv'), 'utf8'), 'DEXBZUS', 'newer');
    const newerDates = new Set(newer.map((o) => o.date));
    const overlap = older.filter((o) => newerDates.has(o.date));
    expect(overlap).toHaveLength(35);
    // same numbers; the text differs only in trailing zeros (5.265 vs 5.2650)
    for (const o of overlap) expect(Number(newer.find((n) => n.date === o.date)?.value)).toBe(Number(o.value));
    expect(overlap.some((o) => newer.find((n) => n.date === o.date)?.value !== o.value)).toBe(true);
    const merged = await readFredRecording(marketDataDir(), 'DEXBZUS');
    expect(merged.observations[0].date).toBe('1999-01-04');
    expect(merged.observations.at(-1)).toEqual({ date: '2026-05-15', value: '5.0739' });
    expect(merged.files).toHaveLength(2);
  });

  it('refuses an overlap whose values disagree (test-only corruption of one real value)', async () => {
    const older = parseFredCsv(await readFile(dataFile('fred', 'DEXBZUS_1999-2021.csv'), 'utf8'), 'DEXBZUS', 'older');
    const newer = parseFredCsv(await readFile(dataFile('fred', 'DEXBZUS_2021-2026.csv'), 'utf8'), 'DEXBZUS', 'newer');
    const corruptedNewer = newer.map((o, i) => (i === 0 ? { ...o, value: '9.9999' } : o));
    expect(() => mergeFredParts([{ file: 'older', observations: older }, { file: 'newer', observations: corruptedNewer }])).toThrow(
      /overlap conflict on 2021-05-17/,
    );
  });

  it('rejects a file with a foreign header or a bad value, naming file and line (test-only bytes)', () => {
    expect(() => parseFredCsv('when,what\n', 'DGS10', 'x.csv')).toThrow(FredRecordingError);
    const badValueTestOnly = 'date,value\n1980-01-02,ten\n';
    try {
      parseFredCsv(badValueTestOnly, 'DGS10', 'x.csv');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(FredRecordingError);
      expect((err as FredRecordingError).line).toBe(2);
      expect((err as FredRecordingError).code).toBe('FRED_RECORDING_INVALID');
    }
  });

  it('throws a typed not-found error for an unrecorded series', async () => {
    await expect(readFredRecording(marketDataDir(), 'GDP')).rejects.toBeInstanceOf(FredRecordingNotFoundError);
  });
});
