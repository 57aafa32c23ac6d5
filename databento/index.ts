/**
 * Databento Historical API client.
 *
 * ```ts
 * const client = new HistoricalClient({ apiKey, baseUrl });
 * const usd = await client.metadata.getCost({ dataset: 'GLBX.MDP3', symbols: ['NQ.FUT'], stypeIn: 'parent', schema: 'ohlcv-1h', start: '2025-01-01', end: '2025-07-01' });
 * const { bytes, sha256 } = await client.timeseries.getRangeToFile({ ...sameQuery }, 'chunk.dbn.zst');
 * await client.close();
 * ```
 * Errors are typed (`err.code`, `err.retryable`, `err.requestId`); see errors.ts.
 */
export { HistoricalClient, DEFAULT_BASE_URL, type HistoricalClientOptions } from './historical-client';
export type { TransportOptions } from './http-transport';
export { MetadataApi, type CallOptions } from './metadata-api';
export {
  TimeseriesApi,
  type GetRangeResult,
  type GetRangeFileResult,
  type GetRangeStream,
  type GetRangeOptions,
  type GetRangeFileOptions,
  type GetRangeSink,
} from './timeseries-api';
export { SymbologyApi } from './symbology-api';
export { BatchApi, parseContentRange, type DownloadFileOptions, type DownloadFileResult } from './batch-api';
export * from './errors';
export { parseErrorBody, parseRetryAfter, errorFromResponse } from './error-from-response';
export { parseWarningHeader, type DatabentoWarning } from './parse-warnings';
export { resolveRetryPolicy, retryDelayMs, type RetryOptions, type RetryPolicy } from './retry-policy';
export { DbnRecordCounter } from './dbn-record-counter';
export {
  ALL_SYMBOLS,
  MAX_SYMBOLS_PER_REQUEST,
  type RangeQuery,
  type GetRangeQuery,
  type ResolveInput,
  type ResolveResponse,
  type SubmitJobInput,
  type BatchJob,
  type BatchFile,
  type JobState,
  type Publisher,
  type DatasetRange,
  type DatasetCondition,
  type UnitPrices,
} from './schemas';
