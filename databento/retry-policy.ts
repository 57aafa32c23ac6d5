import { DatabentoAbortedError, isDatabentoError } from './errors';

export interface RetryOptions {
  /** attempts in all, the first one included @default 5 */
  maxAttempts?: number;
  /** first backoff step @default 250 */
  baseDelayMs?: number;
  /** cap of one exponential step (a server's Retry-After may ask for longer, up to `maxRetryAfterMs`) @default 10_000 */
  maxDelayMs?: number;
  /** a Retry-After longer than this is not waited for; the error is thrown instead @default 120_000 */
  maxRetryAfterMs?: number;
}

export type RetryPolicy = Required<RetryOptions>;

export function resolveRetryPolicy(opts: RetryOptions = {}): RetryPolicy {
  return {
    maxAttempts: Math.max(1, Math.floor(opts.maxAttempts ?? 5)),
    baseDelayMs: Math.max(0, opts.baseDelayMs ?? 250),
    maxDelayMs: Math.max(0, opts.maxDelayMs ?? 10_000),
    maxRetryAfterMs: Math.max(0, opts.maxRetryAfterMs ?? 120_000),
  };
}

/**
 * How long to wait before attempt `attempt + 1`, or undefined to give up.
 * Exponential with "equal jitter" (half fixed, half random) so synchronized workers spread out;
 * a server's Retry-After is a floor, never shortened.
 */
export function retryDelayMs(err: unknown, attempt: number, policy: RetryPolicy, random: () => number = Math.random): number | undefined {
  if (attempt >= policy.maxAttempts) return undefined;
  if (!isDatabentoError(err) || !err.retryable) return undefined;
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const backoff = step / 2 + (random() * step) / 2;
  const retryAfterMs = (err as { retryAfterMs?: number }).retryAfterMs;
  if (retryAfterMs === undefined) return Math.round(backoff);
  if (retryAfterMs > policy.maxRetryAfterMs) return undefined;
  // jitter on top of the floor, bounded so a 1 s Retry-After stays about 1 s
  return Math.round(retryAfterMs + Math.min(backoff, 250) * random());
}

/** Resolves after `ms`, or rejects with DatabentoAbortedError when `signal` fires first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new DatabentoAbortedError('aborted while waiting to retry'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new DatabentoAbortedError('aborted while waiting to retry'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryHooks {
  signal?: AbortSignal;
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

/** Runs `fn(attempt)` until it succeeds, the error is not retryable, or attempts run out. */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, policy: RetryPolicy, hooks: RetryHooks = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      const delayMs = hooks.signal?.aborted ? undefined : retryDelayMs(err, attempt, policy);
      if (delayMs === undefined) throw err;
      hooks.onRetry?.({ attempt, delayMs, error: err });
      await sleep(delayMs, hooks.signal);
    }
  }
}
