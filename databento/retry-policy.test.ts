import { describe, expect, it } from 'vitest';
import { DatabentoAuthError, DatabentoRateLimitError, DatabentoServerError } from './errors';
import { resolveRetryPolicy, retryDelayMs, sleep, withRetry } from './retry-policy';

const policy = resolveRetryPolicy({ maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 300, maxRetryAfterMs: 5000 });

describe('retryDelayMs', () => {
  it('backs off exponentially with equal jitter, capped', () => {
    const err = new DatabentoServerError('503');
    expect(retryDelayMs(err, 1, policy, () => 0)).toBe(50);
    expect(retryDelayMs(err, 1, policy, () => 1)).toBe(100);
    expect(retryDelayMs(err, 2, policy, () => 1)).toBe(200);
    expect(retryDelayMs(err, 3, policy, () => 1)).toBe(300); // capped at maxDelayMs
    expect(retryDelayMs(err, 4, policy, () => 1)).toBeUndefined(); // attempts used up
  });

  it('never waits less than Retry-After, and gives up when it exceeds the cap', () => {
    expect(retryDelayMs(new DatabentoRateLimitError('429', { retryAfterMs: 2000 }), 1, policy, () => 0)).toBe(2000);
    expect(retryDelayMs(new DatabentoRateLimitError('429', { retryAfterMs: 2000 }), 1, policy, () => 1)).toBeGreaterThanOrEqual(2000);
    expect(retryDelayMs(new DatabentoRateLimitError('429', { retryAfterMs: 60_000 }), 1, policy)).toBeUndefined();
  });

  it('does not retry non-retryable or foreign errors', () => {
    expect(retryDelayMs(new DatabentoAuthError('401'), 1, policy)).toBeUndefined();
    expect(retryDelayMs(new Error('boom'), 1, policy)).toBeUndefined();
  });
});

describe('withRetry', () => {
  it('retries retryable failures then returns', async () => {
    let calls = 0;
    const fast = resolveRetryPolicy({ maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 });
    const out = await withRetry(async () => {
      calls++;
      if (calls < 3) throw new DatabentoServerError('503');
      return 'ok';
    }, fast);
    expect(out).toBe('ok');
    expect(calls).toBe(3);
  });

  it('rethrows the last error when attempts run out', async () => {
    const fast = resolveRetryPolicy({ maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 });
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw new DatabentoServerError(`fail ${calls}`);
      }, fast),
    ).rejects.toThrow('fail 2');
  });

  it('sleep rejects with DATABENTO_ABORTED when the signal fires', async () => {
    const ac = new AbortController();
    const p = sleep(10_000, ac.signal);
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'DATABENTO_ABORTED' });
  });
});
