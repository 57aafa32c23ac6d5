import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { OhlcvSchema } from '../domain/databento-enums';
import type { OhlcvColumns } from '../dbn/ohlcv-columns';
import { isZstd, zstdDecompress } from '../dbn/zstd';
import type { OhlcvRecording } from './ohlcv-recording';
import { parseOhlcvCsv } from './parse-ohlcv-csv';
import { cachedRecording } from './recording-cache';
import { RecordingParseError } from './recording-parse-error';

const SCHEMA_BY_RTYPE: Record<number, OhlcvSchema> = { 0x20: 'ohlcv-1s', 0x21: 'ohlcv-1m', 0x22: 'ohlcv-1h', 0x23: 'ohlcv-1d' };

/** The single OHLCV schema of all rows (from rtype); throws on mixed or non-OHLCV rtypes. */
export function schemaFromRtypes(columns: OhlcvColumns, source: string): OhlcvSchema {
  if (columns.length === 0) throw new RecordingParseError(source, 1, 'no rows: cannot tell the schema');
  const r = columns.rtype[0];
  const schema = SCHEMA_BY_RTYPE[r];
  if (!schema) throw new RecordingParseError(source, 2, `rtype ${r} is not an OHLCV 1s/1m/1h/1d rtype`);
  for (let i = 1; i < columns.length; i++) {
    if (columns.rtype[i] !== r) throw new RecordingParseError(source, i + 2, `mixed rtypes ${r} and ${columns.rtype[i]}`);
  }
  return schema;
}

/** Reads CSV text bytes from a .csv or .csv.zst file. */
export async function readCsvBytes(file: string): Promise<Uint8Array> {
  const raw = await readFile(file);
  return isZstd(raw) ? zstdDecompress(raw) : raw;
}

/**
 * A Databento CSV download (pretty_px, pretty_ts, map_symbols; `.csv` or `.csv.zst`), header
 * `ts_event,rtype,publisher_id,instrument_id,open,high,low,close,volume,symbol`. Cached per path.
 */
export function readDatabentoOhlcvCsv(file: string): Promise<OhlcvRecording> {
  const abs = path.resolve(file);
  return cachedRecording(`databento-csv:${abs}`, async () => {
    const { columns, symbol } = parseOhlcvCsv(await readCsvBytes(abs), abs);
    return { dataset: 'GLBX.MDP3', schema: schemaFromRtypes(columns, abs), columns, symbol, source: abs };
  });
}
