export type { OhlcvRecording } from './ohlcv-recording';
export { RecordingParseError } from './recording-parse-error';
export { clearRecordingCache } from './recording-cache';
export { parseOhlcvCsv, type ParsedOhlcvCsv } from './parse-ohlcv-csv';
export { readDatabentoOhlcvCsv, readCsvBytes, schemaFromRtypes } from './read-databento-ohlcv-csv';
export { readZlDaily, ZL_DAILY_FILE } from './read-zl-daily';
export { readClContinuous, CL_CONTINUOUS_FILE } from './read-cl-continuous';
export {
  readNqOhlcv1h,
  readNqOhlcv1mDays,
  listNqOhlcv1mDays,
  nqOhlcv1mDayFile,
  readNqSymbology,
  type NqSymbology,
  NQ_OHLCV_1H_FILE,
  NQ_OHLCV_1M_DIR,
  NQ_SYMBOLOGY_FILE,
} from './read-nq';
