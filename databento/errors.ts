/**
 * Typed errors of the Databento Historical client, undici style: one small class per failure, each with a stable
 * `code` string (match on `code`, not `instanceof`, when two copies of this module may be loaded) and a `retryable`
 * flag the activity layer maps onto Temporal's retry policy.
 *
 * Messages carry Databento's own `detail` text (case, message, docs) and the `request-id`, never the API key.
 */

/** Databento's error body, normalised: `{"detail": "text"}` or `{"detail": {case, message, docs, payload}}`. */
export interface DatabentoErrorDetail {
  case?: string;
  message: string;
  docs?: string;
  payload?: unknown;
}

export interface DatabentoErrorContext {
  status?: number;
  requestId?: string;
  detail?: DatabentoErrorDetail;
  cause?: unknown;
}

/** `Databento 422 data_start_before_available_start: <message> (docs: <url>) [request-id: <id>]` */
export function composeErrorMessage(summary: string, ctx: DatabentoErrorContext): string {
  const parts = [summary];
  const d = ctx.detail;
  if (d) {
    parts.push(`: ${d.case ? `${d.case}: ` : ''}${d.message}`);
    if (d.docs) parts.push(` (docs: ${d.docs})`);
  }
  if (ctx.requestId) parts.push(` [request-id: ${ctx.requestId}]`);
  return parts.join('');
}

export abstract class DatabentoError extends Error {
  abstract override readonly name: string;
  abstract readonly code: string;
  abstract readonly retryable: boolean;
  readonly status?: number;
  readonly requestId?: string;
  readonly detail?: DatabentoErrorDetail;

  constructor(message: string, ctx: DatabentoErrorContext = {}) {
    super(message, ctx.cause === undefined ? undefined : { cause: ctx.cause });
    if (ctx.status !== undefined) this.status = ctx.status;
    if (ctx.requestId !== undefined) this.requestId = ctx.requestId;
    if (ctx.detail !== undefined) this.detail = ctx.detail;
  }

  /** Plain data for logs and Temporal failure details (no stack, no cause objects). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      status: this.status,
      requestId: this.requestId,
      detail: this.detail,
    };
  }
}

/** 400: a parameter is missing or malformed. */
export class DatabentoBadRequestError extends DatabentoError {
  override readonly name = 'DatabentoBadRequestError';
  readonly code = 'DATABENTO_BAD_REQUEST';
  readonly retryable = false;
}

/** 401: the API key was refused. */
export class DatabentoAuthError extends DatabentoError {
  override readonly name = 'DatabentoAuthError';
  readonly code = 'DATABENTO_AUTH';
  readonly retryable = false;
}

/** 402: the account cannot pay for the request. */
export class DatabentoPaymentRequiredError extends DatabentoError {
  override readonly name = 'DatabentoPaymentRequiredError';
  readonly code = 'DATABENTO_PAYMENT_REQUIRED';
  readonly retryable = false;
}

/** 403: the key lacks permission (e.g. dataset license). */
export class DatabentoForbiddenError extends DatabentoError {
  override readonly name = 'DatabentoForbiddenError';
  readonly code = 'DATABENTO_FORBIDDEN';
  readonly retryable = false;
}

/** 404: unknown resource (job, file) or symbol. */
export class DatabentoNotFoundError extends DatabentoError {
  override readonly name = 'DatabentoNotFoundError';
  readonly code = 'DATABENTO_NOT_FOUND';
  readonly retryable = false;
}

/** 409: conflicting request. */
export class DatabentoConflictError extends DatabentoError {
  override readonly name = 'DatabentoConflictError';
  readonly code = 'DATABENTO_CONFLICT';
  readonly retryable = false;
}

/** 422: well-formed but refused, e.g. a start before the dataset's available range, or no symbol resolved. */
export class DatabentoUnprocessableError extends DatabentoError {
  override readonly name = 'DatabentoUnprocessableError';
  readonly code = 'DATABENTO_UNPROCESSABLE';
  readonly retryable = false;
}

/** Any other 4xx status: not retried. */
export class DatabentoHttpError extends DatabentoError {
  override readonly name = 'DatabentoHttpError';
  readonly code = 'DATABENTO_HTTP_ERROR';
  readonly retryable = false;
}

/** 429: rate limited; `retryAfterMs` comes from the `Retry-After` header when present. */
export class DatabentoRateLimitError extends DatabentoError {
  override readonly name = 'DatabentoRateLimitError';
  readonly code = 'DATABENTO_RATE_LIMITED';
  readonly retryable = true;
  readonly retryAfterMs?: number;
  constructor(message: string, ctx: DatabentoErrorContext & { retryAfterMs?: number } = {}) {
    super(message, ctx);
    if (ctx.retryAfterMs !== undefined) this.retryAfterMs = ctx.retryAfterMs;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), retryAfterMs: this.retryAfterMs };
  }
}

/** 408 and 5xx: the gateway failed or timed out; worth retrying. */
export class DatabentoServerError extends DatabentoError {
  override readonly name = 'DatabentoServerError';
  readonly code = 'DATABENTO_SERVER_ERROR';
  readonly retryable = true;
  readonly retryAfterMs?: number;
  constructor(message: string, ctx: DatabentoErrorContext & { retryAfterMs?: number } = {}) {
    super(message, ctx);
    if (ctx.retryAfterMs !== undefined) this.retryAfterMs = ctx.retryAfterMs;
  }
}

/** No usable response: refused, reset, socket hang-up, DNS, or a headers timeout. */
export class DatabentoConnectionError extends DatabentoError {
  override readonly name = 'DatabentoConnectionError';
  readonly code = 'DATABENTO_CONNECTION';
  readonly retryable = true;
  /** the underlying Node/undici error code, e.g. `ECONNREFUSED`, `UND_ERR_SOCKET` */
  readonly causeCode?: string;
  constructor(message: string, ctx: DatabentoErrorContext & { causeCode?: string } = {}) {
    super(message, ctx);
    if (ctx.causeCode !== undefined) this.causeCode = ctx.causeCode;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), causeCode: this.causeCode };
  }
}

/**
 * A response body that broke after the status line arrived (reset, timeout, short body).
 * Retryable, but a retried `timeseries.get_range` is billed again: the caller decides.
 */
export class DatabentoStreamInterruptedError extends DatabentoError {
  override readonly name = 'DatabentoStreamInterruptedError';
  readonly code = 'DATABENTO_STREAM_INTERRUPTED';
  readonly retryable = true;
  readonly bytesReceived: number;
  /** complete DBN records in the bytes that did arrive, when the body was DBN and could be counted */
  readonly completeRecords?: number;
  /** where the received prefix was kept, when the caller asked to keep it */
  readonly partialPath?: string;
  readonly causeCode?: string;
  constructor(
    message: string,
    ctx: DatabentoErrorContext & { bytesReceived: number; completeRecords?: number; partialPath?: string; causeCode?: string },
  ) {
    super(message, ctx);
    this.bytesReceived = ctx.bytesReceived;
    if (ctx.completeRecords !== undefined) this.completeRecords = ctx.completeRecords;
    if (ctx.partialPath !== undefined) this.partialPath = ctx.partialPath;
    if (ctx.causeCode !== undefined) this.causeCode = ctx.causeCode;
  }
  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      bytesReceived: this.bytesReceived,
      completeRecords: this.completeRecords,
      partialPath: this.partialPath,
      causeCode: this.causeCode,
    };
  }
}

/** Our own zod check of a method's input failed; nothing was sent. */
export class DatabentoValidationError extends DatabentoError {
  override readonly name = 'DatabentoValidationError';
  readonly code = 'DATABENTO_INVALID_INPUT';
  readonly retryable = false;
  /** dotted path of the first offending field, e.g. `symbols` or `start` */
  readonly field: string;
  readonly issues: { path: string; message: string }[];
  constructor(method: string, issues: { path: string; message: string }[]) {
    const first = issues[0] ?? { path: '(input)', message: 'invalid' };
    const more = issues.length > 1 ? ` (+${issues.length - 1} more)` : '';
    super(`invalid input to ${method}: ${first.path}: ${first.message}${more}`);
    this.field = first.path;
    this.issues = issues;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), field: this.field, issues: this.issues };
  }
}

/** A success response whose body did not match the documented shape. */
export class DatabentoResponseError extends DatabentoError {
  override readonly name = 'DatabentoResponseError';
  readonly code = 'DATABENTO_INVALID_RESPONSE';
  readonly retryable = false;
}

/** A downloaded file's sha256 differs from the one Databento listed; the partial file was deleted. */
export class DatabentoChecksumError extends DatabentoError {
  override readonly name = 'DatabentoChecksumError';
  readonly code = 'DATABENTO_CHECKSUM_MISMATCH';
  readonly retryable = false;
  readonly expected: string;
  readonly actual: string;
  readonly file: string;
  constructor(message: string, ctx: DatabentoErrorContext & { expected: string; actual: string; file: string }) {
    super(message, ctx);
    this.expected = ctx.expected;
    this.actual = ctx.actual;
    this.file = ctx.file;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), expected: this.expected, actual: this.actual, file: this.file };
  }
}

/** The caller's AbortSignal fired. */
export class DatabentoAbortedError extends DatabentoError {
  override readonly name = 'DatabentoAbortedError';
  readonly code = 'DATABENTO_ABORTED';
  readonly retryable = false;
}

export function isDatabentoError(err: unknown): err is DatabentoError {
  return err instanceof DatabentoError || (typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' && (err as { code: string }).code.startsWith('DATABENTO_'));
}
