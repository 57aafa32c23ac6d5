import { ApplicationFailure } from '@temporalio/workflow';
import type { z } from 'zod';
import { issueLines } from '../domain/issue-lines';

/**
 * Validates a workflow's input inside the workflow, so a bad start fails the run (not just the task) with a clear,
 * non-retryable `Invalid<Type>Input`.
 *
 * `jitless`: every workflow run evaluates its modules afresh, so each run's schemas are new objects and zod would
 * compile a fast path (`new Function`) for the one parse each of them ever does: ~5 ms of the run's first task.
 */
export function parseWorkflowInput<T>(schema: z.ZodType<T>, raw: unknown, type: string): T {
  const parsed = schema.safeParse(raw, { jitless: true });
  if (!parsed.success) {
    const issues = issueLines(parsed.error).join('; ');
    throw ApplicationFailure.nonRetryable(`invalid ${type} input: ${issues}`, `Invalid${type[0].toUpperCase()}${type.slice(1)}Input`);
  }
  return parsed.data;
}
