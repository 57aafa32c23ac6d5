import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';

/** The running activity's cancellation reason, when it was cancelled (workflow request, timeout, worker shutdown). */
function cancellationReason(): unknown {
  try {
    const signal = Context.current().cancellationSignal;
    return signal.aborted ? signal.reason : undefined;
  } catch {
    return undefined; // not inside an activity
  }
}

/**
 * Turns a thrown error into what Temporal should do with it: errors that say `retryable: false`
 * (Databento 4xx, bad rows, schema conflicts, integrity failures) fail the activity for good;
 * everything else is retried by the activity's retry policy. An abort caused by the activity's own
 * cancellation (e.g. its worker shutting down) is reported as that cancellation, never as a final failure,
 * so another worker takes the task over.
 */
export function toActivityFailure(err: unknown): unknown {
  if (err instanceof ApplicationFailure) return err;
  const cancelled = cancellationReason();
  if (cancelled !== undefined) return cancelled;
  if (!(err instanceof Error)) return err;
  const e = err as Error & { retryable?: boolean; code?: string };
  const code = e.code ?? '';
  // bad bytes and bad config do not improve with retries; DBN_* covers the decoder's truncated/corrupt-stream codes
  const nonRetryable =
    e.retryable === false || code.startsWith('DBN_') || ['WAREHOUSE_BAD_ROWS', 'WAREHOUSE_SCHEMA_INCOMPATIBLE', 'CHUNK_INTEGRITY', 'CONFIG_INVALID'].includes(code);
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
