import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import {
  compressionSchema,
  encodingSchema,
  schemaSchema,
  stypeSchema,
  type Compression,
  type Encoding,
  type Schema,
  type SType,
} from '../domain/databento-enums';
import { parseTimeNs } from '../domain/time';
import { businessError, type GatewayHttpError } from './gateway-error';

export type RawParams = Record<string, string>;

const MAX_BODY_BYTES = 1 << 20;
export const MAX_SYMBOLS = 2000;

/** Query string plus (for POST) the x-www-form-urlencoded body; body fields win. */
export async function readParams(req: IncomingMessage, url: URL): Promise<RawParams> {
  const params: RawParams = Object.fromEntries(url.searchParams);
  if (req.method === 'POST' || req.method === 'PUT') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) throw badRequest('request_too_large', `request body exceeds ${MAX_BODY_BYTES} bytes`);
      chunks.push(chunk);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.length > 0) Object.assign(params, Object.fromEntries(new URLSearchParams(text)));
  }
  return params;
}

export function badRequest(errorCase: string, message: string, payload: Record<string, unknown> = {}): GatewayHttpError {
  return businessError(400, errorCase, message, payload);
}

function required(params: RawParams, name: string): string {
  const v = params[name];
  if (v === undefined || v.trim() === '') throw badRequest('missing_parameter', `Missing required parameter '${name}'.`, { param: name });
  return v.trim();
}

/** Databento accepts true/True/false/False (Python sends the capitalized form). */
export function parseBool(params: RawParams, name: string, fallback: boolean): boolean {
  const v = params[name];
  if (v === undefined || v === '') return fallback;
  const t = v.trim().toLowerCase();
  if (t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  throw badRequest('invalid_parameter', `Invalid boolean for '${name}': ${JSON.stringify(v)}.`, { param: name, value: v });
}

function enumParam<T extends string>(schema: z.ZodType<T>, params: RawParams, name: string, fallback?: T): T {
  const v = params[name];
  if (v === undefined || v === '') {
    if (fallback !== undefined) return fallback;
    throw badRequest('missing_parameter', `Missing required parameter '${name}'.`, { param: name });
  }
  const r = schema.safeParse(v.trim());
  if (!r.success) {
    throw businessError(422, `invalid_${name}`, `Invalid value for '${name}': ${JSON.stringify(v)}.`, { param: name, value: v });
  }
  return r.data;
}

/**
 * Forward-fill of a missing `end`: start plus one unit of the start text's own precision
 * (a date gives the next day — the real API answered `start=2020-12-28` with end 2020-12-29 for
 * every schema; `…T13:00` gives +1 minute; integer ns gives +1 ns).
 */
export function forwardFilledEnd(startText: string, startNs: bigint): bigint {
  const t = startText.trim();
  if (/^\d+$/.test(t)) return startNs + 1n;
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) return startNs + 86_400_000_000_000n;
  const m = /^\d{4}-\d{2}-\d{2}[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?/.exec(t);
  if (!m) return startNs + 1n;
  if (m[4] !== undefined) return startNs + 10n ** BigInt(9 - m[4].length);
  if (m[3] !== undefined) return startNs + 1_000_000_000n;
  if (m[2] !== undefined) return startNs + 60_000_000_000n;
  return startNs + 3_600_000_000_000n;
}

function timeParam(name: string, text: string): bigint {
  try {
    // an hour-only datetime ("2020-12-28T13") is valid ISO; the domain parser wants minutes
    const t = /^\d{4}-\d{2}-\d{2}[T ]\d{2}$/.test(text) ? `${text}:00` : text;
    return parseTimeNs(t);
  } catch {
    throw badRequest('invalid_parameter', `Invalid datetime for '${name}': ${JSON.stringify(text)}; expected ISO 8601 or UNIX nanoseconds.`, {
      param: name,
      value: text,
    });
  }
}

export function parseSymbols(params: RawParams): string[] {
  const raw = params.symbols;
  const list = (raw === undefined || raw.trim() === '' ? 'ALL_SYMBOLS' : raw)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (list.length > MAX_SYMBOLS) {
    throw businessError(422, 'symbology_too_many_symbols', `Too many symbols: ${list.length} > ${MAX_SYMBOLS}.`, { count: list.length });
  }
  return [...new Set(list)];
}

/** Parameters shared by timeseries.get_range, the metadata quotes and batch.submit_job. */
export interface RangeQuery {
  dataset: string;
  symbols: string[];
  schema: Schema;
  stype_in: SType;
  stype_out: SType;
  start: bigint;
  end: bigint;
  /** 0 = no limit */
  limit: number;
}

export interface OutputOptions {
  encoding: Encoding;
  compression: Compression;
  pretty_px: boolean;
  pretty_ts: boolean;
  map_symbols: boolean;
}

export function parseRangeQuery(params: RawParams): RangeQuery {
  const dataset = required(params, 'dataset');
  const symbols = parseSymbols(params);
  const schema = enumParam(schemaSchema, params, 'schema', 'trades');
  const stype_in = enumParam(stypeSchema, params, 'stype_in', 'raw_symbol');
  const stype_out = enumParam(stypeSchema, params, 'stype_out', stype_in === 'instrument_id' ? 'raw_symbol' : 'instrument_id');
  const startText = required(params, 'start');
  const start = timeParam('start', startText);
  const endText = params.end?.trim();
  const end = endText ? timeParam('end', endText) : forwardFilledEnd(startText, start);
  let limit = 0;
  if (params.limit !== undefined && params.limit.trim() !== '') {
    const r = z.coerce.number().int().nonnegative().safeParse(params.limit.trim());
    if (!r.success) throw badRequest('invalid_parameter', `Invalid integer for 'limit': ${JSON.stringify(params.limit)}.`, { param: 'limit' });
    limit = r.data;
  }
  return { dataset, symbols, schema, stype_in, stype_out, start, end, limit };
}

export function parseOutputOptions(params: RawParams, defaultCompression: Compression): OutputOptions {
  return {
    encoding: enumParam(encodingSchema, params, 'encoding', 'dbn'),
    compression: enumParam(compressionSchema, params, 'compression', defaultCompression),
    pretty_px: parseBool(params, 'pretty_px', false),
    pretty_ts: parseBool(params, 'pretty_ts', false),
    map_symbols: parseBool(params, 'map_symbols', false),
  };
}

/** `YYYY-MM-DD` date parameter (symbology.resolve, dataset condition). */
export function dateParam(params: RawParams, name: string, opts: { required: boolean }): string | undefined {
  const v = params[name]?.trim();
  if (!v) {
    if (opts.required) throw badRequest('missing_parameter', `Missing required parameter '${name}'.`, { param: name });
    return undefined;
  }
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ].*)?$/.exec(v);
  if (!m || Number.isNaN(Date.parse(`${m[1]}T00:00:00Z`))) {
    throw badRequest('invalid_parameter', `Invalid date for '${name}': ${JSON.stringify(v)}; expected YYYY-MM-DD.`, { param: name, value: v });
  }
  return m[1];
}

export { enumParam, required as requiredParam };
