import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

/** One FRED observation as recorded: the value's exact text, or null where FRED had no value. */
export interface FredObservation {
  date: string;
  value: string | null;
}

export interface FredRecording {
  series_id: string;
  observations: FredObservation[];
  /** the files the observations came from, in merge order */
  files: string[];
}

/** A recording file that cannot be read as a FRED series: bad header, bad date or value, or conflicting overlaps. */
export class FredRecordingError extends Error {
  override readonly name = 'FredRecordingError';
  readonly code = 'FRED_RECORDING_INVALID';
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const NUMBER = /^-?\d+(\.\d+)?$/;
const SERIES_ID = /^[A-Z0-9]{1,30}$/;
// file names: `<ID>.csv`, or `<ID>_<anything>.csv` when a series is split over several source files
const FILE_NAME = /^([A-Z0-9]+)(?:_[^/]*)?\.csv$/;

/**
 * The recordings come from different downloaders, so three headers occur:
 * `date,value`, fredgraph's `observation_date,<ID>` and the older `DATE,<ID>`.
 * Missing values are empty or `.`; line endings LF or CRLF.
 */
export function parseFredCsv(text: string, seriesId: string, file: string): FredObservation[] {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const header = (lines[0] ?? '').trim();
  const accepted = ['date,value', `observation_date,${seriesId}`, `DATE,${seriesId}`];
  if (!accepted.includes(header)) {
    throw new FredRecordingError(`unexpected header "${header}" for ${seriesId} (want one of ${accepted.join(' | ')})`, file, 1);
  }
  const out: FredObservation[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const comma = line.indexOf(',');
    if (comma < 0 || line.indexOf(',', comma + 1) >= 0) throw new FredRecordingError(`want 2 fields: "${line}"`, file, i + 1);
    const date = line.slice(0, comma);
    const raw = line.slice(comma + 1).trim();
    if (!DATE.test(date)) throw new FredRecordingError(`bad date "${date}"`, file, i + 1);
    const value = raw === '' || raw === '.' ? null : raw;
    if (value !== null && !NUMBER.test(value)) throw new FredRecordingError(`bad value "${raw}"`, file, i + 1);
    const prev = out.at(-1);
    if (prev && prev.date >= date) throw new FredRecordingError(`dates not increasing: ${prev.date} then ${date}`, file, i + 1);
    out.push({ date, value });
  }
  return out;
}

/** Exact decimal comparison key: `5.2650` and `5.265` are the same number. */
function decimalKey(value: string | null): string | null {
  if (value === null) return null;
  return value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
}

/**
 * Merges date-sorted parts; overlapping dates must hold the same number (missing markers already null; text may
 * differ in trailing zeros, e.g. `5.265` vs `5.2650`). The later part's text wins, being the newer download.
 */
export function mergeFredParts(parts: { file: string; observations: FredObservation[] }[]): FredObservation[] {
  const byDate = new Map<string, { value: string | null; file: string }>();
  for (const part of parts) {
    for (const o of part.observations) {
      const seen = byDate.get(o.date);
      if (seen && decimalKey(seen.value) !== decimalKey(o.value)) {
        throw new FredRecordingError(
          `overlap conflict on ${o.date}: ${seen.value ?? 'missing'} in ${path.basename(seen.file)} vs ${o.value ?? 'missing'}`,
          part.file,
        );
      }
      byDate.set(o.date, { value: o.value, file: part.file });
    }
  }
  return [...byDate.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([date, { value }]) => ({ date, value }));
}

function fredDir(marketDataDir: string): string {
  return path.join(marketDataDir, 'fred');
}

/** Files per series id found under `<marketDataDir>/fred`, each list sorted by name (so by period for split series). */
export async function listFredRecordingFiles(marketDataDir: string): Promise<Map<string, string[]>> {
  const dir = fredDir(marketDataDir);
  const names = (await readdir(dir)).sort();
  const out = new Map<string, string[]>();
  for (const name of names) {
    const m = FILE_NAME.exec(name);
    if (!m) continue;
    const files = out.get(m[1]) ?? [];
    files.push(path.join(dir, name));
    out.set(m[1], files);
  }
  return out;
}

/** Series ids with a recording, sorted. */
export async function listFredRecordings(marketDataDir: string): Promise<string[]> {
  return [...(await listFredRecordingFiles(marketDataDir)).keys()].sort();
}

export class FredRecordingNotFoundError extends Error {
  override readonly name = 'FredRecordingNotFoundError';
  readonly code = 'FRED_RECORDING_NOT_FOUND';
  constructor(readonly seriesId: string) {
    super(`no FRED recording for series ${seriesId}`);
  }
}

/** Reads (and for split series, merges) the recording of one series. */
export async function readFredRecording(marketDataDir: string, seriesId: string): Promise<FredRecording> {
  if (!SERIES_ID.test(seriesId)) throw new FredRecordingNotFoundError(seriesId);
  const files = (await listFredRecordingFiles(marketDataDir)).get(seriesId);
  if (!files?.length) throw new FredRecordingNotFoundError(seriesId);
  const parts = await Promise.all(
    files.map(async (file) => ({ file, observations: parseFredCsv(await readFile(file, 'utf8'), seriesId, file) })),
  );
  return { series_id: seriesId, observations: mergeFredParts(parts), files };
}
