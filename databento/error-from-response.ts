import { z } from 'zod';
import {
  composeErrorMessage,
  DatabentoAuthError,
  DatabentoBadRequestError,
  DatabentoConflictError,
  type DatabentoError,
  type DatabentoErrorDetail,
  DatabentoForbiddenError,
  DatabentoHttpError,
  DatabentoNotFoundError,
  DatabentoPaymentRequiredError,
  DatabentoRateLimitError,
  DatabentoServerError,
  DatabentoUnprocessableError,
} from './errors';

const businessDetailSchema = z.looseObject({
  case: z.string().optional(),
  message: z.string(),
  status_code: z.number().optional(),
  docs: z.string().optional(),
  payload: z.unknown().optional(),
});
const errorBodySchema = z.looseObject({ detail: z.union([z.string(), businessDetailSchema]) });

/** bodies can be huge HTML pages from proxies; keep the message readable */
const MAX_RAW_DETAIL = 500;

/**
 * Normalises an error body: `{"detail": "text"}`, the business shape `{"detail": {case, message, docs, payload}}`,
 * or any non-JSON / unexpected text (kept raw, trimmed).
 */
export function parseErrorBody(text: string): DatabentoErrorDetail | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return { message: truncate(trimmed) };
  }
  const parsed = errorBodySchema.safeParse(json);
  if (!parsed.success) return { message: truncate(trimmed) };
  const detail = parsed.data.detail;
  if (typeof detail === 'string') return { message: detail };
  const out: DatabentoErrorDetail = { message: detail.message };
  if (detail.case !== undefined) out.case = detail.case;
  if (detail.docs !== undefined) out.docs = detail.docs;
  if (detail.payload !== undefined) out.payload = detail.payload;
  return out;
}

function truncate(text: string): string {
  return text.length > MAX_RAW_DETAIL ? `${text.slice(0, MAX_RAW_DETAIL)}…` : text;
}

/** `Retry-After` as delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined) return undefined;
  const text = v.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

const SUMMARY: Record<number, string> = {
  400: 'bad request',
  401: 'authentication failed',
  402: 'payment required',
  403: 'forbidden',
  404: 'not found',
  408: 'request timed out',
  409: 'conflict',
  422: 'request refused',
  429: 'rate limited',
  500: 'internal server error',
  502: 'bad gateway',
  503: 'service unavailable',
  504: 'gateway timeout',
};

export interface ErrorResponse {
  status: number;
  bodyText: string;
  requestId?: string;
  retryAfter?: string | string[];
  /** `POST /v0/timeseries.get_range`, for the message */
  endpoint?: string;
}

/** Maps a non-2xx response to its typed error. */
export function errorFromResponse(res: ErrorResponse): DatabentoError {
  const detail = parseErrorBody(res.bodyText);
  const summary = `Databento ${res.status} ${SUMMARY[res.status] ?? 'error'}${res.endpoint ? ` on ${res.endpoint}` : ''}`;
  const ctx = { status: res.status, requestId: res.requestId, detail };
  const message = composeErrorMessage(summary, ctx);
  switch (res.status) {
    case 400:
      return new DatabentoBadRequestError(message, ctx);
    case 401:
      return new DatabentoAuthError(message, ctx);
    case 402:
      return new DatabentoPaymentRequiredError(message, ctx);
    case 403:
      return new DatabentoForbiddenError(message, ctx);
    case 404:
      return new DatabentoNotFoundError(message, ctx);
    case 409:
      return new DatabentoConflictError(message, ctx);
    case 422:
      return new DatabentoUnprocessableError(message, ctx);
    case 429:
      return new DatabentoRateLimitError(message, { ...ctx, retryAfterMs: parseRetryAfter(res.retryAfter) });
    default:
      if (res.status === 408 || res.status >= 500) {
        return new DatabentoServerError(message, { ...ctx, retryAfterMs: parseRetryAfter(res.retryAfter) });
      }
      return new DatabentoHttpError(message, ctx);
  }
}
