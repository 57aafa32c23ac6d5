export type FredErrorCode =
  | 'FRED_BAD_KEY'
  | 'FRED_UNKNOWN_SERIES'
  | 'FRED_BAD_REQUEST'
  | 'FRED_RATE_LIMITED'
  | 'FRED_SERVER_ERROR'
  | 'FRED_NETWORK'
  | 'FRED_BAD_RESPONSE';

const RETRYABLE: Record<FredErrorCode, boolean> = {
  FRED_BAD_KEY: false,
  FRED_UNKNOWN_SERIES: false,
  FRED_BAD_REQUEST: false,
  FRED_RATE_LIMITED: true,
  FRED_SERVER_ERROR: true,
  FRED_NETWORK: true,
  FRED_BAD_RESPONSE: false,
};

/**
 * A failed FRED call. `retryable` tells the caller (a Temporal retry policy) whether trying again can help.
 * Never carries the API key or the request URL (the key rides in the query string).
 */
export class FredError extends Error {
  override readonly name = 'FredError';
  readonly retryable: boolean;
  constructor(
    readonly code: FredErrorCode,
    message: string,
    readonly context: { seriesId?: string; status?: number; fredMessage?: string; retryAfterMs?: number } = {},
  ) {
    super(message);
    this.retryable = RETRYABLE[code];
  }
}
