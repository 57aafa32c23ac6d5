import type { LogLevel } from '@temporalio/worker';

// each worker process's host-queue worker has activities only, by design (it serves the chunk files stored on this
// host), and the SDK warns about that on every start
const EXPECTED_WARNINGS = [/^No workflows registered, not polling for workflow tasks$/];

/** The level a Temporal runtime log entry is logged at: the SDK's, except for warnings this setup expects (debug). */
export function runtimeLogLevel(level: LogLevel, message: string): LogLevel {
  return level === 'WARN' && EXPECTED_WARNINGS.some((re) => re.test(message)) ? 'DEBUG' : level;
}
