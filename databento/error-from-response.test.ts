import { describe, expect, it } from 'vitest';
import { errorFromResponse, parseErrorBody, parseRetryAfter } from './error-from-response';
import { composeErrorMessage, isDatabentoError } from './errors';

describe('parseErrorBody', () => {
  it('reads the simple {"detail": "..."} shape', () => {
    expect(parseErrorBody('{"detail":"Authorization failed: bad key."}')).toEqual({ message: 'Authorization failed: bad key.' });
  });

  it('reads the business shape with case, docs and payload', () => {
    const body = JSON.stringify({
      detail: {
        case: 'data_start_before_available_start',
        message: 'The dataset GLBX.MDP3 has data available from 2010-06-06.',
        status_code: 422,
        docs: 'https://databento.com/docs/api-reference-historical/basics/datasets',
        payload: { dataset: 'GLBX.MDP3' },
      },
    });
    expect(parseErrorBody(body)).toEqual({
      case: 'data_start_before_available_start',
      message: 'The dataset GLBX.MDP3 has data available from 2010-06-06.',
      docs: 'https://databento.com/docs/api-reference-historical/basics/datasets',
      payload: { dataset: 'GLBX.MDP3' },
    });
  });

  it('keeps non-JSON and unexpected JSON as raw text, and empty as undefined', () => {
    expect(parseErrorBody('<html>502 Bad Gateway</html>')).toEqual({ message: '<html>502 Bad Gateway</html>' });
    expect(parseErrorBody('{"error":"x"}')).toEqual({ message: '{"error":"x"}' });
    expect(parseErrorBody('  ')).toBeUndefined();
    expect(parseErrorBody('x'.repeat(2000))!.message.length).toBeLessThan(600);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(['0.5'])).toBe(500);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:03 GMT', now)).toBe(3000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('errorFromResponse', () => {
  const cases: [number, string, boolean, string][] = [
    [400, 'DATABENTO_BAD_REQUEST', false, 'DatabentoBadRequestError'],
    [401, 'DATABENTO_AUTH', false, 'DatabentoAuthError'],
    [402, 'DATABENTO_PAYMENT_REQUIRED', false, 'DatabentoPaymentRequiredError'],
    [403, 'DATABENTO_FORBIDDEN', false, 'DatabentoForbiddenError'],
    [404, 'DATABENTO_NOT_FOUND', false, 'DatabentoNotFoundError'],
    [409, 'DATABENTO_CONFLICT', false, 'DatabentoConflictError'],
    [422, 'DATABENTO_UNPROCESSABLE', false, 'DatabentoUnprocessableError'],
    [410, 'DATABENTO_HTTP_ERROR', false, 'DatabentoHttpError'],
    [429, 'DATABENTO_RATE_LIMITED', true, 'DatabentoRateLimitError'],
    [408, 'DATABENTO_SERVER_ERROR', true, 'DatabentoServerError'],
    [500, 'DATABENTO_SERVER_ERROR', true, 'DatabentoServerError'],
    [502, 'DATABENTO_SERVER_ERROR', true, 'DatabentoServerError'],
    [503, 'DATABENTO_SERVER_ERROR', true, 'DatabentoServerError'],
    [504, 'DATABENTO_SERVER_ERROR', true, 'DatabentoServerError'],
  ];
  it.each(cases)('maps %i to %s (retryable %s)', (status, code, retryable, name) => {
    const err = errorFromResponse({ status, bodyText: '{"detail":"nope"}', requestId: 'req-123', endpoint: 'GET /v0/x' });
    expect(err.code).toBe(code);
    expect(err.retryable).toBe(retryable);
    expect(err.name).toBe(name);
    expect(err.status).toBe(status);
    expect(err.requestId).toBe('req-123');
    expect(err).toBeInstanceOf(Error);
    expect(isDatabentoError(err)).toBe(true);
    expect(err.message).toContain('nope');
    expect(err.message).toContain('[request-id: req-123]');
  });

  it('puts case, message and docs in the message and carries Retry-After on 429', () => {
    const err = errorFromResponse({
      status: 429,
      bodyText: JSON.stringify({ detail: { case: 'rate_limit', message: 'Too many requests', docs: 'https://databento.com/docs/x' } }),
      requestId: 'abc',
      retryAfter: '3',
    });
    expect(err.message).toBe('Databento 429 rate limited: rate_limit: Too many requests (docs: https://databento.com/docs/x) [request-id: abc]');
    expect((err as { retryAfterMs?: number }).retryAfterMs).toBe(3000);
    expect(JSON.parse(JSON.stringify(err))).toMatchObject({ code: 'DATABENTO_RATE_LIMITED', retryAfterMs: 3000, requestId: 'abc' });
  });

  it('composes a message without detail or request id', () => {
    expect(composeErrorMessage('Databento 500 internal server error', {})).toBe('Databento 500 internal server error');
  });
});
