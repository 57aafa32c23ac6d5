import { describe, expect, it } from 'vitest';
import { toQueryError } from '../../warehouse/bigquery/bigquery-warehouse';

// error objects shaped like @google-cloud/bigquery's ApiError (code, message, errors[].reason)
describe('BigQuery query errors', () => {
  it('retries a DML statement that lost a race for the same partition', () => {
    const err = toQueryError(
      { code: 400, message: 'Could not serialize access to table proj:market_data.databento_futures_ohlcv_1d due to concurrent update', errors: [{ reason: 'invalidQuery' }] },
      'merge',
    );
    expect(err.retryable).toBe(true);
  });

  it('does not retry a query that is wrong', () => {
    const err = toQueryError({ code: 400, message: 'Syntax error: Unexpected keyword MERGE at [1:1]', errors: [{ reason: 'invalidQuery' }] }, 'merge');
    expect(err.retryable).toBe(false);
  });

  it('retries rate limits and backend errors', () => {
    expect(toQueryError({ code: 403, message: 'Exceeded rate limits', errors: [{ reason: 'rateLimitExceeded' }] }, 'q').retryable).toBe(true);
    expect(toQueryError({ code: 503, message: 'Service unavailable' }, 'q').retryable).toBe(true);
  });
});
