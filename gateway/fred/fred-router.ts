import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type FredObservation,
  type FredRecording,
  FredRecordingNotFoundError,
  readFredRecording,
} from '../../fred/read-fred-recording';

/**
 * The FRED API (https://fred.stlouisfed.org/docs/api/fred/) over the real recordings in `<dataDir>/fred`.
 * Only what the pipeline uses: `series/observations` and `series`, JSON, units=lin.
 * Errors use FRED's own body `{"error_code":400,"error_message":"Bad Request.  ..."}`.
 */
export interface FredRouterContext {
  /** the market-data folder holding `fred/` */
  dataDir: string;
  apiKey: string;
}

const KEY_DOC = 'Read https://fred.stlouisfed.org/docs/api/api_key.html for more information.';
// FRED's wording, as quoted in public clients' tests (two spaces after "Bad Request.")
export const FRED_ERRORS = {
  keyMissing: `Bad Request.  Variable api_key has not been set.  ${KEY_DOC}`,
  keyNotRegistered: `Bad Request.  The value for variable api_key is not registered.  ${KEY_DOC}`,
  seriesMissing: 'Bad Request.  Variable series_id is not set.',
  seriesUnknown: 'Bad Request.  The series does not exist.',
} as const;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const FRED_MIN_DATE = '1776-07-04';
const FRED_MAX_DATE = '9999-12-31';
const MAX_LIMIT = 100_000;

class FredRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const recordingCache = new Map<string, Promise<FredRecording>>();
const vintageCache = new Map<string, Promise<string>>();

function recording(dataDir: string, seriesId: string): Promise<FredRecording> {
  const cacheKey = `${dataDir}\0${seriesId}`;
  let p = recordingCache.get(cacheKey);
  if (!p) {
    p = readFredRecording(dataDir, seriesId);
    p.catch(() => recordingCache.delete(cacheKey));
    recordingCache.set(cacheKey, p);
  }
  return p;
}

/**
 * FRED stamps observations with a real-time period (default: today). A recording has no vintage, and using the
 * wall clock would make every re-ingest look new, so the gateway reports the day the recordings were collected
 * (PROVENANCE.md "Collected on YYYY-MM-DD"); without that line, the last observation date.
 */
function recordingVintage(dataDir: string): Promise<string> {
  let p = vintageCache.get(dataDir);
  if (!p) {
    p = readFile(path.join(dataDir, 'PROVENANCE.md'), 'utf8')
      .then((text) => /Collected on (\d{4}-\d{2}-\d{2})/.exec(text)?.[1] ?? '')
      .catch(() => '');
    vintageCache.set(dataDir, p);
  }
  return p;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function dateParam(q: URLSearchParams, name: string, fallback: string): string {
  const v = q.get(name);
  if (v === null || v === '') return fallback;
  if (!DATE.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) {
    throw new FredRequestError(400, `Bad Request.  Variable ${name} is not a valid date.`);
  }
  return v;
}

function intParam(q: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const v = q.get(name);
  if (v === null || v === '') return fallback;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new FredRequestError(400, `Bad Request.  Variable ${name} is not an integer or is out of range (${min}-${max}).`);
  }
  return Number(v);
}

function checkCommon(q: URLSearchParams, ctx: FredRouterContext): void {
  const key = q.get('api_key');
  if (!key) throw new FredRequestError(400, FRED_ERRORS.keyMissing);
  if (key !== ctx.apiKey) throw new FredRequestError(400, FRED_ERRORS.keyNotRegistered);
  const fileType = q.get('file_type') ?? 'xml';
  // FRED's default is XML; the recordings are served as JSON only, and we say so rather than send bad XML
  if (fileType !== 'json') throw new FredRequestError(400, `Bad Request.  This gateway serves file_type=json only (got ${fileType}).`);
}

async function seriesFor(q: URLSearchParams, ctx: FredRouterContext): Promise<FredRecording> {
  const id = q.get('series_id');
  if (!id) throw new FredRequestError(400, FRED_ERRORS.seriesMissing);
  try {
    return await recording(ctx.dataDir, id);
  } catch (err) {
    if (err instanceof FredRecordingNotFoundError) throw new FredRequestError(400, FRED_ERRORS.seriesUnknown);
    throw err;
  }
}

async function observations(q: URLSearchParams, ctx: FredRouterContext): Promise<unknown> {
  checkCommon(q, ctx);
  const rec = await seriesFor(q, ctx);
  const start = dateParam(q, 'observation_start', FRED_MIN_DATE);
  const end = dateParam(q, 'observation_end', FRED_MAX_DATE);
  const limit = intParam(q, 'limit', MAX_LIMIT, 1, MAX_LIMIT);
  const offset = intParam(q, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
  const sortOrder = q.get('sort_order') ?? 'asc';
  if (sortOrder !== 'asc' && sortOrder !== 'desc') {
    throw new FredRequestError(400, 'Bad Request.  Variable sort_order is not one of the values: asc, desc.');
  }
  const units = q.get('units') ?? 'lin';
  if (units !== 'lin') throw new FredRequestError(400, `Bad Request.  This gateway serves units=lin only (got ${units}).`);
  const vintage = (await recordingVintage(ctx.dataDir)) || (rec.observations.at(-1)?.date ?? FRED_MIN_DATE);
  const realtimeStart = dateParam(q, 'realtime_start', vintage);
  const realtimeEnd = dateParam(q, 'realtime_end', vintage);
  let inRange: FredObservation[] = rec.observations.filter((o) => o.date >= start && o.date <= end);
  if (sortOrder === 'desc') inRange = [...inRange].reverse();
  const page = inRange.slice(offset, offset + limit);
  return {
    realtime_start: realtimeStart,
    realtime_end: realtimeEnd,
    observation_start: start,
    observation_end: end,
    units: 'lin',
    output_type: 1,
    file_type: 'json',
    order_by: 'observation_date',
    sort_order: sortOrder,
    count: inRange.length,
    offset,
    limit,
    observations: page.map((o) => ({
      realtime_start: vintage,
      realtime_end: vintage,
      date: o.date,
      value: o.value ?? '.',
    })),
  };
}

/** Daily unless every observation falls on the same weekday at least a week apart (NFCI: weekly, Fridays). */
export function inferFrequency(obs: FredObservation[]): { frequency: string; frequency_short: string } {
  const days = obs.map((o) => Date.parse(`${o.date}T00:00:00Z`) / 86_400_000);
  const weekly = days.length > 1 && days.every((d, i) => i === 0 || (d - days[i - 1]) % 7 === 0);
  if (!weekly) return { frequency: 'Daily', frequency_short: 'D' };
  const weekday = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'][new Date(days[0] * 86_400_000).getUTCDay()];
  return { frequency: `Weekly, Ending ${weekday}`, frequency_short: 'W' };
}

async function series(q: URLSearchParams, ctx: FredRouterContext): Promise<unknown> {
  checkCommon(q, ctx);
  const rec = await seriesFor(q, ctx);
  const vintage = (await recordingVintage(ctx.dataDir)) || (rec.observations.at(-1)?.date ?? FRED_MIN_DATE);
  return {
    realtime_start: vintage,
    realtime_end: vintage,
    seriess: [
      {
        id: rec.series_id,
        realtime_start: vintage,
        realtime_end: vintage,
        // only facts the recording supports: no title or units text is on file, so the id stands in for the title
        title: rec.series_id,
        observation_start: rec.observations[0]?.date ?? null,
        observation_end: rec.observations.at(-1)?.date ?? null,
        ...inferFrequency(rec.observations),
        notes: `Served from the recording ${rec.files.map((f) => path.basename(f)).join(' + ')}; frequency inferred from the dates.`,
      },
    ],
  };
}

/** Handles `/fred/...`; returns false for any other path so the caller can route it elsewhere. */
export async function handleFredRequest(req: IncomingMessage, res: ServerResponse, ctx: FredRouterContext): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://gateway.local');
  if (!url.pathname.startsWith('/fred/')) return false;
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new FredRequestError(405, 'Method Not Allowed.');
    const route = url.pathname.replace(/\/+$/, '');
    let body: unknown;
    if (route === '/fred/series/observations') body = await observations(url.searchParams, ctx);
    else if (route === '/fred/series') body = await series(url.searchParams, ctx);
    else throw new FredRequestError(404, 'Not Found.');
    sendJson(res, 200, body);
  } catch (err) {
    if (err instanceof FredRequestError) sendJson(res, err.status, { error_code: err.status, error_message: err.message });
    else sendJson(res, 500, { error_code: 500, error_message: 'Internal Server Error.' });
  }
  return true;
}
