import { sliceOhlcvColumns, type OhlcvColumns } from '../../dbn/ohlcv-columns';
import { readNqOhlcv1h } from '../../recordings';
import type { BarChunkRef, LoadBarsInput } from '../../warehouse';
import { planHalfYearChunks } from '../../domain/chunks';
import { parseTimeNs } from '../../domain/time';
import { marketDataDir } from '../support/market-data-dir';
import { fixedToDecimal } from '../../warehouse/row-values';

/** The real NQ.FUT ohlcv-1h recording (228,911 rows), cut into load inputs per chunk. */
export async function nqRecording() {
  return readNqOhlcv1h(marketDataDir());
}

export type NqRecording = Awaited<ReturnType<typeof nqRecording>>;

/** Rows of the recording with ts_event in [start, end) (the recording is in time order). */
export function rowRange(rec: NqRecording, start: string, end: string): [number, number] {
  const ts = rec.columns.ts_event;
  const s = parseTimeNs(start);
  const e = parseTimeNs(end);
  let a = 0;
  while (a < ts.length && ts[a] < s) a++;
  let b = a;
  while (b < ts.length && ts[b] < e) b++;
  return [a, b];
}

export function chunkInput(rec: NqRecording, id: string, start: string, end: string): LoadBarsInput {
  const [a, b] = rowRange(rec, start, end);
  const chunk: BarChunkRef = { chunkId: id, dataset: 'GLBX.MDP3', schema: 'ohlcv-1h', start, end, symbols: ['NQ.FUT'], stypeIn: 'parent' };
  return { chunk, columns: sliceOhlcvColumns(rec.columns, a, b), symbol: (i) => rec.symbol[a + i] };
}

export const NQ_CHUNKS = planHalfYearChunks('2010-06-06', '2026-01-01');

/** Per-year exact sums of open/high/low/close (decimal text) and volume, computed with bigint from the recording. */
export function expectedYearSums(columns: OhlcvColumns): Map<string, { n: number; open: string; high: string; low: string; close: string; volume: string }> {
  const acc = new Map<string, { n: number; open: bigint; high: bigint; low: bigint; close: bigint; volume: bigint }>();
  for (let i = 0; i < columns.length; i++) {
    const year = new Date(Number(columns.ts_event[i] / 1_000_000n)).getUTCFullYear().toString();
    let a = acc.get(year);
    if (!a) acc.set(year, (a = { n: 0, open: 0n, high: 0n, low: 0n, close: 0n, volume: 0n }));
    a.n++;
    a.open += columns.open[i];
    a.high += columns.high[i];
    a.low += columns.low[i];
    a.close += columns.close[i];
    a.volume += columns.volume[i];
  }
  return new Map(
    [...acc].map(([y, a]) => [
      y,
      { n: a.n, open: fixedToDecimal(a.open), high: fixedToDecimal(a.high), low: fixedToDecimal(a.low), close: fixedToDecimal(a.close), volume: a.volume.toString() },
    ]),
  );
}

export const YEAR_SUMS_SQL = `
SELECT CAST(EXTRACT(YEAR FROM ts_event) AS STRING) AS year, COUNT(*) AS n,
  SUM(open) AS open, SUM(high) AS high, SUM(low) AS low, SUM(close) AS close, SUM(volume) AS volume
FROM market_data.databento_futures_ohlcv_1h GROUP BY 1 ORDER BY 1`;
