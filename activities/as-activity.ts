import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';

/** The running activity's context; undefined outside an activity (unit tests, the CLI). */
export function currentActivity(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/** The running activity's cancellation reason, when it was cancelled (workflow request, timeout, worker shutdown). */
function cancellationReason(): unknown {
  const signal = currentActivity()?.cancellationSignal;
  return signal?.aborted ? signal.reason : undefined;
}

const LOCAL_STORAGE_CODES = ['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM'];

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
  const e = err as Error & { retryable?: boolean; code?: string; path?: string };
  const code = e.code ?? '';
  if (LOCAL_STORAGE_CODES.includes(code)) {
    // a full, read-only or forbidden disk does not heal by retrying, and a retried download pays again
    const where = e.path && !e.message.includes(e.path) ? ` (${e.path})` : '';
    return ApplicationFailure.create({
      message: `${e.message}${where}: the local disk refused a write; free space or fix DATA_DIR / DUCKDB_PATH, then start the run again`,
      type: 'LocalStorageError',
      nonRetryable: true,
      details: [{ code }],
    });
  }
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

export interface AsActivityOptions {
  /**
   * `keepAlive` (default): heartbeat while the activity runs, three times per heartbeat timeout (or every
   * `keepAliveEveryMs`; the SDK sends at most one per 0.8 × timeout). `own`: the activity heartbeats its progress
   * itself, and a stall between its heartbeats must time it out (a download stuck on the network).
   */
  heartbeats?: 'keepAlive' | 'own';
  keepAliveEveryMs?: number;
}

/**
 * Runs an activity body: errors become Temporal failures (see toActivityFailure), and unless the activity reports
 * its own progress, it heartbeats while it runs. Without that, a load or feature build longer than its heartbeat
 * timeout was taken for a dead worker and retried, however healthy, and it never learnt of a cancellation.
 */
export async function asActivity<T>(fn: () => Promise<T>, options: AsActivityOptions = {}): Promise<T> {
  const stop = options.heartbeats === 'own' ? () => undefined : keepAlive(options.keepAliveEveryMs);
  try {
    return await fn();
  } catch (err) {
    throw toActivityFailure(err);
  } finally {
    stop();
  }
}

/** Heartbeats the running activity until the returned function is called; a no-op outside one. */
function keepAlive(everyMs?: number): () => void {
  const ctx = currentActivity();
  // a local activity cannot heartbeat: the worker keeps its workflow task alive instead
  if (!ctx || ctx.info.isLocal) return () => undefined;
  // without a heartbeat timeout, heartbeats still deliver a cancellation
  const interval = everyMs ?? Math.max(100, Math.floor((ctx.info.heartbeatTimeoutMs || 15_000) / 3));
  const timer = setInterval(() => ctx.heartbeat(), interval);
  return () => clearInterval(timer);
}
