/**
 * The innermost words of a failure chain, with its type: what an activity of a child workflow said, not the
 * "Child Workflow execution failed" / "Activity task failed" wrappers around it.
 */
export function failureText(err: unknown): string {
  let e: unknown = err;
  for (let depth = 0; depth < 20 && e && typeof e === 'object' && (e as { cause?: unknown }).cause; depth++) e = (e as { cause: unknown }).cause;
  const message = e instanceof Error ? e.message : String(e);
  const type = (e as { type?: unknown } | null)?.type;
  return typeof type === 'string' && type ? `${message} [${type}]` : message;
}
