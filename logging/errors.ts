/**
 * Errors in words, for log lines and the CLI. `JSON.stringify` of an Error keeps only its own enumerable fields:
 * a Node system error came out as `{"errno":-28,"code":"ENOSPC","syscall":"write"}` and most others as `{}`.
 */

const MAX_DEPTH = 8;

/** Fields of Node system errors (fs, net) and of Temporal failures that say what failed and where. */
const KNOWN_FIELDS = [
  'code',
  'errno',
  'syscall',
  'path',
  'dest',
  'address',
  'port',
  'status',
  'nonRetryable',
  'retryState',
  'activityType',
  'activityId',
  'workflowType',
  'timeoutType',
  'details',
] as const;

/** Own fields never copied: the raw proto failure is large and repeats what the fields above say. */
const SKIPPED_FIELDS = new Set(['failure', 'stack', 'message', 'name', 'cause', 'errors', 'type', 'lastHeartbeatDetails', 'execution', 'namespace']);

/** Fields of an error that may hold a credential (an HTTP client error's headers, a request's key). */
const SECRET_FIELD = /key|password|secret|token|authorization|headers/i;

function className(err: Error): string {
  const ctor = (err as { constructor?: { name?: unknown } }).constructor?.name;
  // Temporal failures set `name` to their class even when bundling renames the constructor
  return err.name && err.name !== 'Error' ? err.name : typeof ctor === 'string' && ctor ? ctor : 'Error';
}

function plain(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (value instanceof Error) return serializeError(value, depth + 1, seen);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  return value;
}

/** The fields that locate and classify one error: code, syscall, path, Temporal failure type, activity, workflow. */
function fieldsOf(err: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const e = err as Error & Record<string, unknown>;
  const out: Record<string, unknown> = {};
  // ApplicationFailure.type is the failure's own type ("BudgetNotApproved"), not its class
  if (typeof e.type === 'string' && e.type) out.failureType = e.type;
  for (const key of KNOWN_FIELDS) {
    const v = e[key];
    if (v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0)) out[key] = plain(v, depth, seen);
  }
  const execution = e.execution as { workflowId?: string; runId?: string } | undefined;
  if (execution?.workflowId) out.workflowId = execution.workflowId;
  if (execution?.runId) out.runId = execution.runId;
  for (const key of Object.keys(e)) {
    if (key in out || SKIPPED_FIELDS.has(key) || (KNOWN_FIELDS as readonly string[]).includes(key)) continue;
    // the logger's redact paths reach one level down; an error's fields can sit deeper in a cause chain
    const v = SECRET_FIELD.test(key) ? '[redacted]' : plain(e[key], depth, seen);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/**
 * An error as a plain object for a log line: its class (`type`), message, code / errno / syscall / path where
 * present, Temporal failure fields (failureType, nonRetryable, activityType, retryState, …), the stack, and its
 * cause chain (and the errors of an AggregateError), each serialized the same way. Anything not an Error is
 * returned as is.
 */
export function serializeError(err: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (!(err instanceof Error)) return err;
  if (seen.has(err) || depth > MAX_DEPTH) return { type: className(err), message: err.message, circular: seen.has(err) || undefined };
  seen.add(err);
  const out: Record<string, unknown> = { type: className(err), message: err.message, ...fieldsOf(err, depth, seen) };
  if (err.stack) out.stack = err.stack;
  const cause = (err as { cause?: unknown }).cause;
  if (cause !== undefined && cause !== null) out.cause = cause instanceof Error ? serializeError(cause, depth + 1, seen) : cause;
  const errors = (err as { errors?: unknown }).errors;
  if (Array.isArray(errors) && errors.length) out.errors = errors.map((x) => serializeError(x, depth + 1, seen));
  return out;
}

/** One link of an error's cause chain, as the CLI prints it. */
export interface ErrorLink {
  type: string;
  message: string;
  failureType?: string;
  code?: string;
}

/** The error and its causes, outermost first (Temporal wraps the reason a workflow or activity failed in `cause`). */
export function errorChain(err: unknown): ErrorLink[] {
  const links: ErrorLink[] = [];
  const seen = new Set<unknown>();
  for (let e: unknown = err; e !== undefined && e !== null && !seen.has(e) && links.length <= MAX_DEPTH; ) {
    seen.add(e);
    if (!(e instanceof Error)) {
      links.push({ type: typeof e, message: String(e) });
      break;
    }
    const x = e as Error & { type?: unknown; code?: unknown; cause?: unknown };
    const link: ErrorLink = { type: className(e), message: e.message };
    if (typeof x.type === 'string' && x.type) link.failureType = x.type;
    if (typeof x.code === 'string' && x.code) link.code = x.code;
    links.push(link);
    e = x.cause;
  }
  return links;
}

/** What a link adds in brackets: a Temporal failure's type (or its class), and a code its message does not start with. */
function tagsOf(link: ErrorLink, withCode: boolean): string[] {
  const tags: string[] = [];
  const kind = link.failureType ?? (link.type.endsWith('Failure') ? link.type : undefined);
  if (kind) tags.push(kind);
  if (withCode && link.code && !link.message.startsWith(`${link.code}:`) && !tags.includes(link.code)) tags.push(link.code);
  return tags;
}

/**
 * The chain in one line: `message [failure type]: cause message [code]: …`, each distinct message once (a link
 * whose message was already said only adds its tags to the part before). `omitTopCode` when the caller prints that code itself.
 */
export function describeError(err: unknown, options: { omitTopCode?: boolean } = {}): string {
  const parts: string[] = [];
  const messages = new Set<string>();
  errorChain(err).forEach((link, i) => {
    const tags = tagsOf(link, !(i === 0 && options.omitTopCode));
    const tag = tags.length ? ` [${tags.join(', ')}]` : '';
    if (link.message && !messages.has(link.message)) parts.push(`${link.message}${tag}`);
    else if (tag && parts.length) parts[parts.length - 1] += tag;
    else if (tag) parts.push(tag.trim());
    messages.add(link.message);
  });
  return parts.join(': ');
}

const NESTED_DEPTH = 3;

/**
 * A log object with every Error in it, under any key and inside plain objects and arrays a few levels down,
 * replaced by serializeError's form. Objects without errors are returned as they are (no copy).
 */
export function withSerializedErrors<T>(value: T, depth = 0): T {
  if (value instanceof Error) return serializeError(value) as T;
  if (depth >= NESTED_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    value.forEach((v, i) => {
      const s = withSerializedErrors(v, depth + 1);
      if (s !== v) (copy ??= [...value])[i] = s;
    });
    return (copy ?? value) as T;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  let copy: Record<string, unknown> | null = null;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const s = withSerializedErrors(v, depth + 1);
    if (s !== v) (copy ??= { ...(value as Record<string, unknown>) })[k] = s;
  }
  return (copy ?? value) as T;
}
