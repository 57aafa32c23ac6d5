import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { concatOhlcvColumns } from '../dbn/ohlcv-columns';
import type { OhlcvRecording } from './ohlcv-recording';
import { readDatabentoOhlcvCsv } from './read-databento-ohlcv-csv';
import { cachedRecording } from './recording-cache';
import { RecordingParseError } from './recording-parse-error';

export const NQ_OHLCV_1H_FILE = 'databento-nq/ohlcv-1h/glbx-mdp3-20100606-20251231.ohlcv-1h.csv.zst';
export const NQ_OHLCV_1M_DIR = 'databento-nq/ohlcv-1m';
export const NQ_SYMBOLOGY_FILE = 'databento-nq/ohlcv-1h/symbology.json';
const DAY_FILE = /^glbx-mdp3-(\d{8})\.ohlcv-1m\.csv\.zst$/;

/** NQ.FUT (parent) ohlcv-1h, 2010-06-06..2025-12-31, 228,911 rows with raw contract symbols. */
export function readNqOhlcv1h(dataDir: string): Promise<OhlcvRecording> {
  return readDatabentoOhlcvCsv(path.resolve(dataDir, NQ_OHLCV_1H_FILE));
}

/** The recorded NQ ohlcv-1m days (YYYYMMDD), ascending. */
export async function listNqOhlcv1mDays(dataDir: string): Promise<string[]> {
  const names = await readdir(path.resolve(dataDir, NQ_OHLCV_1M_DIR));
  return names.flatMap((n) => DAY_FILE.exec(n)?.[1] ?? []).sort();
}

export function nqOhlcv1mDayFile(dataDir: string, day: string): string {
  return path.resolve(dataDir, NQ_OHLCV_1M_DIR, `glbx-mdp3-${day}.ohlcv-1m.csv.zst`);
}

/** NQ.FUT ohlcv-1m for the given days (default: all 79 recorded days), concatenated in day order. */
export async function readNqOhlcv1mDays(dataDir: string, days?: string[]): Promise<OhlcvRecording> {
  const available = await listNqOhlcv1mDays(dataDir);
  const wanted = days ? [...days].sort() : available;
  const dir = path.resolve(dataDir, NQ_OHLCV_1M_DIR);
  for (const d of wanted) {
    if (!available.includes(d)) throw new RecordingParseError(dir, 0, `no recorded ohlcv-1m file for day ${d}`);
  }
  const parts = await Promise.all(wanted.map((d) => readDatabentoOhlcvCsv(nqOhlcv1mDayFile(dataDir, d))));
  if (parts.length === 1) return parts[0];
  return {
    dataset: 'GLBX.MDP3',
    schema: 'ohlcv-1m',
    columns: concatOhlcvColumns(parts.map((p) => p.columns)),
    symbol: parts.flatMap((p) => p.symbol),
    source: dir,
  };
}

const symbologySchema = z.object({
  result: z.record(z.string(), z.array(z.object({ d0: z.string(), d1: z.string(), s: z.string() }))),
});

export type NqSymbology = Record<string, { d0: string; d1: string; s: string }[]>;

/** databento-nq/ohlcv-1h/symbology.json `result`: raw symbol → [{ d0, d1 (exclusive), s: instrument_id }]. */
export function readNqSymbology(dataDir: string): Promise<NqSymbology> {
  const file = path.resolve(dataDir, NQ_SYMBOLOGY_FILE);
  return cachedRecording(`nq-symbology:${file}`, async () => {
    const parsed = symbologySchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    if (!parsed.success) throw new RecordingParseError(file, 1, `unexpected symbology.json shape: ${parsed.error.message}`);
    return parsed.data.result;
  });
}
