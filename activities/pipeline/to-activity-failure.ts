import { ApplicationFailure } from '@temporalio/common';

/**
 * Turns a thrown error into what Temporal should do with it: errors that say `retryable: false`
 * (Databento 4xx, bad rows, schema conflicts, integrity failures) fail the activity for good;
 * everything else is retried by the activity's retry policy.
 */
export function toActivityFailure(err: unknown): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (!(err instanceof Error)) return err;
  const e = err as Error & { retryable?: boolean; code?: string };
  const nonRetryable =
    e.retryable === false ||
    ['WAREHOUSE_BAD_ROWS', 'WAREHOUSE_SCHEMA', 'CHUNK_INTEGRITY', 'DBN_FRAMING', 'CONFIG_INVALID'].includes(e.code ?? '');
  if (!nonRetryable) return err;
  return ApplicationFailure.create({
    message: e.message,
    type: e.name,
    nonRetryable: true,
    details: e.code ? [{ code: e.code }] : undefined,
  });
}

export async function asActivity<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toActivityFailure(err);
  }
}
