import type { IncomingHttpHeaders } from 'node:http';
import os from 'node:os';
import pino, { type Logger } from 'pino';
import { Agent, type Dispatcher, request } from 'undici';
import type { z } from 'zod';
import { errorFromResponse } from './error-from-response';
import {
  DatabentoAbortedError,
  DatabentoConnectionError,
  type DatabentoError,
  DatabentoResponseError,
  DatabentoStreamInterruptedError,
  isDatabentoError,
} from './errors';
import { type DatabentoWarning, parseWarningHeader } from './parse-warnings';
import { resolveRetryPolicy, type RetryOptions, type RetryPolicy, withRetry } from './retry-policy';

export const DEFAULT_BASE_URL = 'https://hist.databento.com';
const PACKAGE_VERSION = '0.1.0';
/** error bodies are read for their detail text only; a proxy's HTML page is cut here */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

export interface TransportOptions {
  apiKey: string;
  baseUrl?: string;
  userAgent?: string;
  retry?: RetryOptions;
  /** connect, headers and between-body-chunks timeout @default 100_000 (the official clients' value) */
  timeoutMs?: number;
  logger?: Logger;
  onWarning?: (w: DatabentoWarning) => void;
}

export interface TransportRequest {
  method: 'GET' | 'POST';
  /** `metadata.get_cost` style method name (sent under `/v0/`), or an absolute URL (batch file downloads) */
  endpoint: string | URL;
  params?: Record<string, string>;
  headers?: Record<string, string>;
  accept?: string;
  signal?: AbortSignal;
}

export interface TransportResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Dispatcher.ResponseData['body'];
  requestId?: string;
  warnings: DatabentoWarning[];
}

/**
 * The HTTP layer under every API family: one undici Agent, Basic auth, error mapping, warnings, retries.
 * The API key lives only in `#authorization` and `#secrets`; nothing here logs headers, and server-provided
 * text is scrubbed of the key before it reaches an error message.
 */
export class HttpTransport {
  readonly baseUrl: URL;
  readonly userAgent: string;
  readonly retryPolicy: RetryPolicy;
  readonly logger: Logger;
  readonly #authorization: string;
  readonly #secrets: string[];
  readonly #agent: Agent;
  readonly #onWarning?: (w: DatabentoWarning) => void;

  constructor(opts: TransportOptions) {
    const token = Buffer.from(`${opts.apiKey}:`).toString('base64');
    this.#authorization = `Basic ${token}`;
    this.#secrets = [opts.apiKey, token, Buffer.from(opts.apiKey).toString('base64')].filter((s) => s.length >= 4);
    this.baseUrl = new URL(opts.baseUrl ?? DEFAULT_BASE_URL);
    this.userAgent =
      opts.userAgent ?? `databento-temporal-pipeline/${PACKAGE_VERSION} Node/${process.version} ${os.platform()}-${os.arch()}`;
    this.retryPolicy = resolveRetryPolicy(opts.retry);
    this.logger = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'databento-client' });
    this.#onWarning = opts.onWarning;
    const timeout = opts.timeoutMs ?? 100_000;
    this.#agent = new Agent({ connectTimeout: timeout, headersTimeout: timeout, bodyTimeout: timeout, keepAliveTimeout: 10_000 });
  }

  /** `https://hist.databento.com/v0/<method>`; a base URL with a path prefix keeps it. */
  urlFor(endpoint: string | URL): URL {
    if (endpoint instanceof URL) return endpoint;
    const prefix = this.baseUrl.pathname.replace(/\/+$/, '');
    return new URL(`${prefix}/v0/${endpoint}`, this.baseUrl);
  }

  /** Resolves another URL's path (and query) against the base URL, as the Rust client does for batch files. */
  rebase(absoluteOrPath: string): URL {
    const source = new URL(absoluteOrPath, this.baseUrl);
    const prefix = this.baseUrl.pathname.replace(/\/+$/, '');
    return new URL(`${prefix}${source.pathname}${source.search}`, this.baseUrl);
  }

  /** Removes the key (and its base64 forms) from text that came from elsewhere. */
  scrub(text: string): string {
    let out = text;
    for (const s of this.#secrets) out = out.split(s).join('[redacted]');
    return out;
  }

  /** Hands a warning to the caller's `onWarning`; a throwing handler must not fail the request. */
  emitWarning(w: DatabentoWarning): void {
    try {
      this.#onWarning?.(w);
    } catch (err) {
      this.logger.error({ err: errorMessage(err) }, 'onWarning handler threw');
    }
  }

  /** Sends one request. 2xx (206 included) resolves with the unread body; anything else throws its typed error. */
  async open(req: TransportRequest): Promise<TransportResponse> {
    const url = this.urlFor(req.endpoint);
    const label = `${req.method} ${url.pathname}`;
    const headers: Record<string, string> = {
      authorization: this.#authorization,
      accept: req.accept ?? 'application/json',
      'user-agent': this.userAgent,
      ...req.headers,
    };
    let body: string | undefined;
    if (req.params && req.method === 'GET') {
      for (const [k, v] of Object.entries(req.params)) url.searchParams.set(k, v);
    } else if (req.params) {
      body = new URLSearchParams(req.params).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const started = performance.now();
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, { dispatcher: this.#agent, method: req.method, headers, body, signal: req.signal });
    } catch (err) {
      throw this.#transportError(err, label, req.signal);
    }
    const requestId = headerValue(res.headers['request-id']);
    const ms = Math.round(performance.now() - started);
    if (res.statusCode >= 200 && res.statusCode < 300) {
      const warnings = parseWarningHeader(res.headers['x-warning']).map((w) => ({ category: w.category, message: this.scrub(w.message) }));
      for (const w of warnings) {
        this.logger.warn({ endpoint: label, requestId, category: w.category }, `Databento warning: ${w.message}`);
        this.emitWarning(w);
      }
      this.logger.debug({ endpoint: label, status: res.statusCode, requestId, ms }, 'databento response');
      return { status: res.statusCode, headers: res.headers, body: res.body, requestId, warnings };
    }
    const bodyText = await readLimitedText(res.body, MAX_ERROR_BODY_BYTES).catch(() => '');
    const error = errorFromResponse({
      status: res.statusCode,
      bodyText: this.scrub(bodyText),
      requestId,
      retryAfter: res.headers['retry-after'],
      endpoint: label,
    });
    this.logger.debug({ endpoint: label, status: res.statusCode, requestId, ms, code: error.code }, 'databento error response');
    throw error;
  }

  /** One JSON call: send, read, parse, validate with `schema`. Retried when `retry` is set (idempotent calls). */
  async json<S extends z.ZodType>(req: TransportRequest, schema: S, opts: { retry: boolean }): Promise<z.output<S>> {
    const once = async (): Promise<z.output<S>> => {
      const res = await this.open(req);
      const label = `${req.method} ${this.urlFor(req.endpoint).pathname}`;
      let text: string;
      try {
        text = await res.body.text();
      } catch (err) {
        throw this.interrupted(err, label, 0, res.requestId, req.signal);
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new DatabentoResponseError(
          `Databento response to ${label} is not JSON: ${this.scrub(text.slice(0, 200))}${res.requestId ? ` [request-id: ${res.requestId}]` : ''}`,
          { status: res.status, requestId: res.requestId },
        );
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.length ? issue.path.join('.') : '(root)';
        throw new DatabentoResponseError(
          `Databento response to ${label} has an unexpected shape at ${where}: ${issue?.message ?? 'invalid'}${res.requestId ? ` [request-id: ${res.requestId}]` : ''}`,
          { status: res.status, requestId: res.requestId },
        );
      }
      return parsed.data;
    };
    if (!opts.retry) return once();
    return this.retrying(once, req.signal, `${req.method} ${this.urlFor(req.endpoint).pathname}`);
  }

  /** Runs `fn` under the client's retry policy, logging each retry. */
  retrying<T>(fn: (attempt: number) => Promise<T>, signal: AbortSignal | undefined, label: string): Promise<T> {
    return withRetry(fn, this.retryPolicy, {
      signal,
      onRetry: ({ attempt, delayMs, error }) => {
        const e = error as DatabentoError;
        this.logger.warn({ endpoint: label, attempt, delayMs, code: e.code, status: e.status, requestId: e.requestId }, 'retrying Databento request');
      },
    });
  }

  /** Maps a failure while reading a 2xx body to DatabentoStreamInterruptedError (or Aborted). */
  interrupted(
    err: unknown,
    label: string,
    bytesReceived: number,
    requestId: string | undefined,
    signal: AbortSignal | undefined,
    extra: { completeRecords?: number; partialPath?: string } = {},
  ): DatabentoError {
    if (isDatabentoError(err)) return err;
    if (signal?.aborted) return new DatabentoAbortedError(`${label} aborted after ${bytesReceived} bytes`, { requestId });
    const causeCode = errorCode(err);
    const records = extra.completeRecords !== undefined ? `, ${extra.completeRecords} complete records` : '';
    return new DatabentoStreamInterruptedError(
      `Databento response body of ${label} broke after ${bytesReceived} bytes${records} (${causeCode ?? 'error'}: ${this.scrub(errorMessage(err))})${requestId ? ` [request-id: ${requestId}]` : ''}`,
      { requestId, bytesReceived, causeCode, ...extra },
    );
  }

  #transportError(err: unknown, label: string, signal: AbortSignal | undefined): DatabentoError {
    if (isDatabentoError(err)) return err;
    if (signal?.aborted) return new DatabentoAbortedError(`${label} aborted`);
    const causeCode = errorCode(err);
    return new DatabentoConnectionError(
      `could not reach Databento for ${label} at ${this.baseUrl.origin} (${causeCode ?? 'error'}: ${this.scrub(errorMessage(err))})`,
      { causeCode },
    );
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }

  toJSON(): Record<string, unknown> {
    return { baseUrl: this.baseUrl.href, userAgent: this.userAgent };
  }
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** undici and Node put the useful code on the error or its cause (`UND_ERR_SOCKET`, `ECONNREFUSED`) */
function errorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  if (typeof e?.code === 'string') return e.code;
  if (typeof e?.cause?.code === 'string') return e.cause.code;
  return undefined;
}

function errorMessage(err: unknown): string {
  const e = err as { message?: unknown; cause?: { message?: unknown } } | undefined;
  const own = typeof e?.message === 'string' ? e.message : String(err);
  const cause = typeof e?.cause?.message === 'string' ? e.cause.message : '';
  return cause && cause !== own ? `${own}: ${cause}` : own;
}

async function readLimitedText(body: AsyncIterable<Uint8Array> & { destroy(): unknown }, limit: number): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    parts.push(Buffer.from(chunk));
    size += chunk.length;
    if (size >= limit) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(parts).toString('utf8').slice(0, limit);
}
