import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sliceOhlcvColumns, takeOhlcvColumns, type OhlcvColumns } from '../../dbn/ohlcv-columns';
import { UNDEF_PRICE } from '../../dbn/price';
import { cmeTradeDate } from '../../futures/cme-session';
import {
  parseReport,
  readChunkReport,
  reportPathFor,
  serializeReport,
  summariseReport,
  ValidationReportParseError,
  writeChunkReport,
} from '../../quality/chunk-report';
import { validateOhlcvChunk, type ValidateOhlcvInput } from '../../quality/validate-ohlcv-chunk';
import type { ValidationReport } from '../../quality/validation-report';
import { readClContinuous, readNqOhlcv1h, readNqOhlcv1mDays, readZlDaily, type OhlcvRecording } from '../../recordings';
import { planHalfYearChunks } from '../../domain/chunks';
import { parseTimeNs } from '../../domain/time';
import { marketDataDir } from '../support/market-data-dir';

interface Chunk {
  id: string;
  start: bigint;
  end: bigint;
  rows: number[];
}

/** The recording cut into the half-year chunks a backfill of its request range would download. */
function chunksOf(rec: OhlcvRecording, requestStart: string, requestEnd: string): Chunk[] {
  return planHalfYearChunks(requestStart, requestEnd).map((p) => {
    const start = parseTimeNs(p.start);
    const end = parseTimeNs(p.end);
    const rows: number[] = [];
    for (let i = 0; i < rec.columns.length; i++) if (rec.columns.ts_event[i] >= start && rec.columns.ts_event[i] < end) rows.push(i);
    return { id: p.id, start, end, rows };
  });
}

function validateChunk(rec: OhlcvRecording, chunk: Chunk, extra: Partial<ValidateOhlcvInput> = {}): ValidationReport {
  return validateOhlcvChunk({
    columns: takeOhlcvColumns(rec.columns, chunk.rows),
    schema: rec.schema,
    start: chunk.start,
    end: chunk.end,
    symbolFor: (k) => rec.symbol[chunk.rows[k]] || null,
    ...extra,
  });
}

const rule = (r: ValidationReport, id: string) => r.rules.find((x) => x.id === id)!;
const warnings = (r: ValidationReport): string =>
  r.rules
    .filter((x) => x.severity === 'warning' && x.count > 0)
    .map((x) => `${x.id}=${x.count}`)
    .join(' ') || 'none';

describe('validateOhlcvChunk over every half-year chunk of the real recordings', () => {
  const recs: Record<string, { rec: OhlcvRecording; start: string; end: string }> = {};
  beforeAll(async () => {
    const dir = marketDataDir();
    const [nq1h, nq1m, zl, cl] = await Promise.all([readNqOhlcv1h(dir), readNqOhlcv1mDays(dir), readZlDaily(dir), readClContinuous(dir)]);
    // Request ranges as recorded (metadata.json / file names / PROVENANCE.md).
    recs['NQ.FUT ohlcv-1h'] = { rec: nq1h, start: '2010-06-06', end: '2026-01-01' };
    recs['NQ.FUT ohlcv-1m'] = { rec: nq1m, start: '2025-10-01', end: '2026-01-01' };
    recs['ZL.c.0 ohlcv-1d'] = { rec: zl, start: '2010-06-06', end: '2026-08-12' };
    recs['CL.n.0/1 ohlcv-1d'] = { rec: cl, start: '2024-01-01', end: '2025-01-01' };
  }, 120_000);

  for (const name of ['NQ.FUT ohlcv-1h', 'NQ.FUT ohlcv-1m', 'ZL.c.0 ohlcv-1d', 'CL.n.0/1 ohlcv-1d']) {
    it(`${name}: every chunk has zero errors (warnings logged)`, () => {
      const { rec, start, end } = recs[name];
      const lines: string[] = [];
      let total = 0;
      for (const chunk of chunksOf(rec, start, end)) {
        const report = validateChunk(rec, chunk);
        const errors = report.rules.filter((r) => r.severity === 'error' && r.count > 0);
        expect(errors, `${name} ${chunk.id}: ${report.summary}\n${JSON.stringify(errors, null, 1)}`).toEqual([]);
        expect(report.ok).toBe(true);
        expect(report.records).toBe(chunk.rows.length);
        total += report.records;
        lines.push(`${chunk.id} ${report.records} rows, warnings: ${warnings(report)}`);
      }
      expect(total).toBe(rec.columns.length);
      console.info(`[validate] ${name}\n  ${lines.join('\n  ')}`);
    });
  }

  describe('test-only corruptions of a copy of real NQ 1h columns (2020H1 chunk)', () => {
    let rec: OhlcvRecording;
    let chunk: Chunk;
    let copy: () => OhlcvColumns;
    beforeAll(() => {
      rec = recs['NQ.FUT ohlcv-1h'].rec;
      chunk = chunksOf(rec, '2020-01-01', '2020-07-01')[0];
      copy = () => takeOhlcvColumns(rec.columns, chunk.rows);
    });
    const run = (columns: OhlcvColumns, extra: Partial<ValidateOhlcvInput> = {}) =>
      validateOhlcvChunk({ columns, schema: 'ohlcv-1h', start: chunk.start, end: chunk.end, symbolFor: (k) => rec.symbol[chunk.rows[k]], ...extra });

    it('the clean copy is ok', () => {
      expect(run(copy()).ok).toBe(true);
    });

    it('high set below low on one row → ok=false, high-below-low names that row', () => {
      const corrupted = copy();
      const row = 1234;
      corrupted.high[row] = corrupted.low[row] - 250_000_000n; // test-only corruption: one tick below the low
      const report = run(corrupted);
      expect(report.ok).toBe(false);
      const r = rule(report, 'high-below-low');
      expect(r.severity).toBe('error');
      expect(r.count).toBe(1);
      expect(r.examples[0]).toMatchObject({ index: row, instrument_id: corrupted.instrument_id[row] });
      expect(r.examples[0].ts_event).toMatch(/^2020-\d\d-\d\dT\d\d:00:00\.000000000Z$/);
      expect(report.summary).toMatch(/^FAILED .*errors: .*high-below-low 1/);
      expect(summariseReport(report)).toBe(report.summary);
    });

    it('structural corruptions: wrong rtype, misaligned ts, out of range, duplicate, out of order', () => {
      const c = copy();
      c.rtype[10] = 0x21; // test-only corruption
      c.ts_event[20] += 1n; // test-only corruption
      const dupe = copy();
      dupe.ts_event[31] = dupe.ts_event[30]; // test-only corruption: two rows now share a key if same instrument
      dupe.instrument_id[31] = dupe.instrument_id[30];
      const r1 = run(c);
      expect(rule(r1, 'rtype-mismatch').examples.map((e) => e.index)).toEqual([10]);
      expect(rule(r1, 'ts-misaligned').examples.map((e) => e.index)).toEqual([20]);
      const r2 = run(dupe);
      expect(rule(r2, 'duplicate-key').count).toBeGreaterThanOrEqual(1);
      expect(rule(r2, 'duplicate-key').examples[0].index).toBe(31);
      const r3 = run(copy(), { end: chunk.start + 86_400_000_000_000n });
      expect(rule(r3, 'ts-outside-range').count).toBeGreaterThan(1000);
      const reversed = copy();
      const i0 = 0;
      const later = Array.from({ length: 200 }, (_, k) => k + 1).find((k) => reversed.instrument_id[k] === reversed.instrument_id[i0])!;
      [reversed.ts_event[i0], reversed.ts_event[later]] = [reversed.ts_event[later], reversed.ts_event[i0]]; // test-only
      expect(rule(run(reversed), 'order-per-instrument').count).toBeGreaterThanOrEqual(1);
    });

    it('UNDEF price, UNDEF volume and an unmapped symbol are errors; zero volume is only a warning', () => {
      const c = copy();
      c.close[5] = UNDEF_PRICE; // test-only corruption
      c.volume[6] = 18446744073709551615n; // test-only corruption
      const r = run(c, { symbolFor: (k) => (k === 7 ? null : rec.symbol[chunk.rows[k]]) });
      expect(rule(r, 'price-undefined').examples.map((e) => e.index)).toEqual([5]);
      expect(rule(r, 'volume-invalid').examples.map((e) => e.index)).toEqual([6]);
      expect(rule(r, 'symbol-unmapped').examples.map((e) => e.index)).toEqual([7]);
      const z = copy();
      z.volume[8] = 0n; // test-only corruption
      const rz = run(z);
      expect(rz.ok).toBe(true);
      expect(rule(rz, 'zero-volume').examples.map((e) => e.index)).toEqual([8]);
    });

    it('a 10x price jump on one bar is flagged as a return outlier (warning), on that row', () => {
      const c = copy();
      const base = run(c);
      // the busiest instrument's 500th bar (plenty of history for σ)
      const iid = c.instrument_id[600];
      const rows = Array.from({ length: c.length }, (_, k) => k).filter((k) => c.instrument_id[k] === iid);
      const row = rows[500];
      for (const f of ['open', 'high', 'low', 'close'] as const) c[f][row] *= 10n; // test-only corruption
      const r = run(c);
      expect(r.ok).toBe(true);
      const outliers = rule(r, 'return-outlier');
      expect(outliers.count).toBeGreaterThan(rule(base, 'return-outlier').count);
      expect(outliers.examples.some((e) => e.index === row)).toBe(true);
    });

    it('three weekday sessions with no bar at all → gap-unusual; declaring them holidays silences it', () => {
      const all = copy();
      const cut = new Set(['2020-02-11', '2020-02-12', '2020-02-13']); // Tue–Thu
      const keep: number[] = [];
      for (let k = 0; k < all.length; k++) if (!cut.has(cmeTradeDate(all.ts_event[k]))) keep.push(k);
      const holed = takeOhlcvColumns(all, keep); // test-only corruption: rows removed
      const symbols = keep.map((k) => rec.symbol[chunk.rows[k]]);
      const base = run(all);
      const r = run(holed, { symbolFor: (k) => symbols[k] });
      const gap = rule(r, 'gap-unusual');
      expect(gap.count).toBeGreaterThan(rule(base, 'gap-unusual').count);
      expect(gap.examples.some((e) => e.ts_event.startsWith('2020-02-13T23') || e.ts_event.startsWith('2020-02-13T22'))).toBe(true);
      expect(r.ok).toBe(true);
      const withHolidays = run(holed, { symbolFor: (k) => symbols[k], calendar: { holidays: [...cut] } });
      expect(rule(withHolidays, 'gap-unusual').count).toBe(rule(base, 'gap-unusual').count);
    });

    it('disable turns a rule off entirely', () => {
      const c = copy();
      c.high[3] = c.low[3] - 1n; // test-only corruption
      const r = run(c, { options: { disable: ['high-below-low', 'open-outside-range', 'close-outside-range'] } });
      expect(r.rules.find((x) => x.id === 'high-below-low')).toBeUndefined();
      expect(r.ok).toBe(true);
    });
  });

  it('the report is plain JSON and round-trips through <chunk>.validation.json', async () => {
    const rec = recs['ZL.c.0 ohlcv-1d'].rec;
    const chunk = chunksOf(rec, '2020-01-01', '2020-07-01')[0];
    const report = validateChunk(rec, chunk);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report); // no bigint, nothing lost
    expect(parseReport(serializeReport(report))).toEqual(report);
    const dir = await mkdtemp(path.join(tmpdir(), 'd-quality-'));
    try {
      const chunkPath = path.join(dir, 'GLBX.MDP3/ohlcv-1d/ZL.c.0/2020H1.dbn.zst');
      const written = await writeChunkReport(chunkPath, report);
      expect(written).toBe(reportPathFor(chunkPath));
      expect(written.endsWith('2020H1.dbn.zst.validation.json')).toBe(true);
      expect(await readChunkReport(chunkPath)).toEqual(report);
      expect(JSON.parse(await readFile(written, 'utf8')).records).toBe(chunk.rows.length);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(() => parseReport('{"ok": true}', 'x.json')).toThrow(ValidationReportParseError);
    expect(() => parseReport('not json')).toThrow(/VALIDATION|invalid validation report/);
    expect(sliceOhlcvColumns(rec.columns, 0, 0).length).toBe(0);
  });
});
