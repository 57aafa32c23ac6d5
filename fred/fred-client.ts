import { type Dispatcher, request } from 'undici';
import { z } from 'zod';
import type { Env } from '../config/env';
import { FredError } from './fred-error';

export interface FredClientOptions {
  /** e.g. `https://api.stlouisfed.org` or the local gateway root (FRED_BASE_URL) */
  baseUrl: string;
  apiKey: string;
  dispatcher?: Dispatcher;
  /** observations per page (FRED's maximum is 100000) */
  pageLimit?: number;
  timeoutMs?: number;
}

const DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

const observationsSchema = z.object({
  realtime_start: DATE,
  realtime_end: DATE,
  count: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  limit: z.number().int().positive(),
  observations: z.array(
    z.object({
      realtime_start: DATE,
      realtime_end: DATE,
      date: DATE,
      // FRED sends numbers as text and "." for a missing value
      value: z.string().regex(/^(-?\d+(\.\d+)?|\.)$/),
    }),
  ),
});

const seriesSchema = z.object({
  seriess: z
    .array(
      z.object({
        id: z.string(),
        title: z.string(),
        frequency: z.string(),
        frequency_short: z.string(),
        observation_start: DATE.nullable(),
        observation_end: DATE.nullable(),
      }),
    )
    .min(1),
});

const errorSchema = z.object({ error_code: z.number().int(), error_message: z.string() });

export interface FredObservationRow {
  date: string;
  /** exact text as FRED sent it; null where FRED sent "." */
  value: string | null;
  realtime_start: string;
  realtime_end: string;
}

export type FredSeriesInfo = z.infer<typeof seriesSchema>['seriess'][number];

/** Thin FRED API client: zod-checked responses, typed errors, paging by limit/offset. */
export class FredClient {
  readonly #apiKey: string;
  readonly #baseUrl: string;
  readonly #dispatcher?: Dispatcher;
  readonly #pageLimit: number;
  readonly #timeoutMs: number;

  constructor(options: FredClientOptions) {
    if (!options.apiKey) throw new FredError('FRED_BAD_KEY', 'FRED api key is empty (set FRED_API_KEY)');
    this.#apiKey = options.apiKey;
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#dispatcher = options.dispatcher;
    this.#pageLimit = Math.min(Math.max(1, options.pageLimit ?? 100_000), 100_000);
    this.#timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** Every observation of `seriesId` with start <= date <= end, in date order, across as many pages as needed. */
  async getObservations(seriesId: string, range: { start?: string; end?: string } = {}): Promise<FredObservationRow[]> {
    const out: FredObservationRow[] = [];
    for (let offset = 0; ; ) {
      const params: Record<string, string> = {
        series_id: seriesId,
        file_type: 'json',
        sort_order: 'asc',
        limit: String(this.#pageLimit),
        offset: String(offset),
      };
      if (range.start) params.observation_start = range.start;
      if (range.end) params.observation_end = range.end;
      const page = observationsSchema.safeParse(await this.#get('/fred/series/observations', params, seriesId));
      if (!page.success) throw new FredError('FRED_BAD_RESPONSE', `unexpected observations response for ${seriesId}: ${page.error.message}`, { seriesId });
      for (const o of page.data.observations) {
        out.push({ date: o.date, value: o.value === '.' ? null : o.value, realtime_start: o.realtime_start, realtime_end: o.realtime_end });
      }
      offset += page.data.observations.length;
      if (page.data.observations.length === 0 || offset >= page.data.count) break;
    }
    return out;
  }

  async getSeries(seriesId: string): Promise<FredSeriesInfo> {
    const parsed = seriesSchema.safeParse(await this.#get('/fred/series', { series_id: seriesId, file_type: 'json' }, seriesId));
    if (!parsed.success) throw new FredError('FRED_BAD_RESPONSE', `unexpected series response for ${seriesId}: ${parsed.error.message}`, { seriesId });
    return parsed.data.seriess[0];
  }

  async #get(pathname: string, params: Record<string, string>, seriesId: string): Promise<unknown> {
    const url = new URL(this.#baseUrl + pathname);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    url.searchParams.set('api_key', this.#apiKey);
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: 'GET',
        dispatcher: this.#dispatcher,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      });
    } catch (err) {
      // undici's message and code name the failure without the URL
      const what = err instanceof Error ? `${(err as { code?: string }).code ?? err.name}` : 'unknown';
      throw new FredError('FRED_NETWORK', `FRED request for ${seriesId} failed: ${what}`, { seriesId });
    }
    const text = await res.body.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (res.statusCode === 200) {
      if (json === undefined) throw new FredError('FRED_BAD_RESPONSE', `FRED sent a non-JSON body for ${seriesId}`, { seriesId, status: 200 });
      return json;
    }
    const fredMessage = errorSchema.safeParse(json).data?.error_message;
    const ctx = { seriesId, status: res.statusCode, fredMessage };
    const detail = fredMessage ?? `HTTP ${res.statusCode}`;
    if (res.statusCode === 429) {
      const retryAfter = Number(res.headers['retry-after']);
      throw new FredError('FRED_RATE_LIMITED', `FRED rate limit for ${seriesId}: ${detail}`, {
        ...ctx,
        retryAfterMs: Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined,
      });
    }
    if (res.statusCode >= 500) throw new FredError('FRED_SERVER_ERROR', `FRED server error for ${seriesId}: ${detail}`, ctx);
    if (fredMessage && /api_key/i.test(fredMessage)) throw new FredError('FRED_BAD_KEY', `FRED rejected the api key: ${fredMessage}`, ctx);
    if (fredMessage && /series does not exist/i.test(fredMessage)) throw new FredError('FRED_UNKNOWN_SERIES', `FRED series ${seriesId}: ${fredMessage}`, ctx);
    throw new FredError('FRED_BAD_REQUEST', `FRED request for ${seriesId} refused: ${detail}`, ctx);
  }

  toJSON(): { baseUrl: string } {
    return { baseUrl: this.#baseUrl };
  }
}

/** A client from FRED_BASE_URL and FRED_API_KEY; a missing key is a non-retryable FRED_BAD_KEY. */
export function fredClientFromEnv(env: Pick<Env, 'FRED_BASE_URL' | 'FRED_API_KEY'>, options: Partial<FredClientOptions> = {}): FredClient {
  if (!env.FRED_API_KEY) throw new FredError('FRED_BAD_KEY', 'FRED_API_KEY is not set');
  return new FredClient({ baseUrl: env.FRED_BASE_URL, apiKey: env.FRED_API_KEY, ...options });
}
