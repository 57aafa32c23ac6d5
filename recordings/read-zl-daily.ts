import path from 'node:path';
import type { OhlcvRecording } from './ohlcv-recording';
import { parseOhlcvCsv } from './parse-ohlcv-csv';
import { readCsvBytes, schemaFromRtypes } from './read-databento-ohlcv-csv';
import { cachedRecording } from './recording-cache';

export const ZL_DAILY_FILE = 'databento-zl/ZL_ohlcv-1d_2010-06-06_2026-08-12.csv';

/**
 * ZL.c.0 ohlcv-1d (2010-06-07..2026-08-10, 4,062 rows). Prices are decimal cents/lb as recorded and
 * kept exactly (not rescaled); `price_date` becomes ts_event at 00:00:00Z of that date.
 */
export function readZlDaily(dataDir: string): Promise<OhlcvRecording> {
  const file = path.resolve(dataDir, ZL_DAILY_FILE);
  return cachedRecording(`zl:${file}`, async () => {
    const { columns, symbol } = parseOhlcvCsv(await readCsvBytes(file), file);
    return { dataset: 'GLBX.MDP3', schema: schemaFromRtypes(columns, file), columns, symbol, source: file };
  });
}
