import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { SCHEMA_IDS, type Schema } from '../domain/databento-enums';
import { formatTsNs, parseTimeNs } from '../domain/time';
import { GLBX, type Catalog } from './catalog';
import { type BatchJobStore, batchFileName, splitDurationSchema, splitRange, type JobState, type ProducedFile } from './batch-jobs';
import { BodyAbortedError, BodyWriter } from './body-writer';
import { takeBodyFault, type FaultSwitches } from './faults';
import { businessError, GatewayHttpError } from './gateway-error';
import type { GatewayStats } from './gateway-stats';
import { computeCostUsd } from './price-table';
import { contentTypeFor, renderBody } from './render-response';
import {
  dateParam,
  enumParam,
  parseBool,
  parseOutputOptions,
  parseRangeQuery,
  parseSymbols,
  requiredParam,
  type OutputOptions,
  type RangeQuery,
  type RawParams,
} from './request-params';
import { assertDataset, resolveQuery, symbologyWarnings, type ResolvedQuery } from './resolve-query';
import { selectRecords, type Selection } from './select-records';
import { resolveSymbology } from './symbology-resolve';
import { stypeSchema } from '../domain/databento-enums';
import type { MetadataInput } from '../dbn/metadata';
import { z } from 'zod';

export interface RouteContext {
  catalog: Catalog;
  stats: GatewayStats;
  faults: FaultSwitches;
  prices: Record<Schema, number>;
  jobs: BatchJobStore;
  baseUrl: () => string;
  log: Logger;
}

type Handler = (ctx: RouteContext, params: RawParams, req: IncomingMessage, res: ServerResponse) => Promise<unknown>;

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Served schemas and their union range across products. */
function schemaRanges(catalog: Catalog): Map<Schema, { start: bigint; end: bigint }> {
  const out = new Map<Schema, { start: bigint; end: bigint }>();
  for (const p of catalog.products) {
    for (const [schema, src] of Object.entries(p.sources) as [Schema, NonNullable<(typeof p.sources)[Schema]>][]) {
      const cur = out.get(schema);
      out.set(schema, cur ? { start: cur.start < src.start ? cur.start : src.start, end: cur.end > src.end ? cur.end : src.end } : { start: src.start, end: src.end });
    }
  }
  return new Map([...out].sort((a, b) => SCHEMA_IDS[a[0]] - SCHEMA_IDS[b[0]]));
}

function datasetParam(params: RawParams): string {
  const dataset = requiredParam(params, 'dataset');
  assertDataset(dataset);
  return dataset;
}

interface Quote {
  resolved: ResolvedQuery;
  selection: Selection;
}

async function quote(ctx: RouteContext, q: RangeQuery): Promise<Quote> {
  const resolved = resolveQuery(ctx.catalog, q);
  return { resolved, selection: await selectRecords(resolved) };
}

function metadataFor(q: RangeQuery, r: ResolvedQuery): MetadataInput {
  return {
    dataset: q.dataset,
    schema: q.schema,
    start: q.start,
    end: q.end,
    limit: BigInt(q.limit),
    stype_in: q.stype_in,
    stype_out: q.stype_out,
    symbols: q.symbols,
    partial: r.partial,
    not_found: r.notFound,
    mappings: r.mappings,
  };
}

function warningHeaders(r: ResolvedQuery): Record<string, string> {
  const w = symbologyWarnings(r);
  return w.length ? { 'x-warning': JSON.stringify(w) } : {};
}

const getRange: Handler = async (ctx, params, req, res) => {
  ctx.stats.getRange.requests++;
  const q = parseRangeQuery(params);
  const opts = parseOutputOptions(params, 'none');
  const { resolved, selection } = await quote(ctx, q);
  const status = resolved.notFound.length ? 206 : 200;
  res.writeHead(status, { 'content-type': contentTypeFor(opts), ...warningHeaders(resolved) });
  const writer = new BodyWriter(res, takeBodyFault(ctx.faults, '/v0/timeseries.get_range'), (n) => {
    ctx.stats.getRange.bytes += n;
  });
  try {
    for (const chunk of renderBody(metadataFor(q, resolved), selection, opts)) await writer.write(chunk);
    writer.end();
    ctx.stats.getRange.records += selection.count;
  } catch (err) {
    if (err instanceof BodyAbortedError) {
      ctx.stats.getRange.aborted++;
      ctx.log.info({ reason: err.reason, bytesSent: err.bytesSent }, 'get_range body aborted');
      return;
    }
    throw err;
  }
};

const recordCount: Handler = async (ctx, params, _req, res) => {
  const { selection } = await quote(ctx, parseRangeQuery(params));
  sendJson(res, 200, selection.count);
};

const billableSize: Handler = async (ctx, params, _req, res) => {
  const { selection } = await quote(ctx, parseRangeQuery(params));
  sendJson(res, 200, selection.billableBytes);
};

const getCost: Handler = async (ctx, params, _req, res) => {
  const q = parseRangeQuery(params);
  const { selection } = await quote(ctx, q);
  sendJson(res, 200, computeCostUsd(selection.billableBytes, ctx.prices[q.schema]));
};

const listDatasets: Handler = async (ctx, params, _req, res) => {
  const start = dateParam(params, 'start_date', { required: false });
  const end = dateParam(params, 'end_date', { required: false });
  let all = { start: Infinity as number | bigint, end: -Infinity as number | bigint };
  for (const r of schemaRanges(ctx.catalog).values()) {
    all = { start: r.start < all.start ? r.start : all.start, end: r.end > all.end ? r.end : all.end };
  }
  const overlaps = (!start || parseTimeNs(start) < (all.end as bigint)) && (!end || parseTimeNs(end) > (all.start as bigint));
  sendJson(res, 200, overlaps ? [GLBX] : []);
};

const listSchemas: Handler = async (ctx, params, _req, res) => {
  datasetParam(params);
  sendJson(res, 200, [...schemaRanges(ctx.catalog).keys()]);
};

const listPublishers: Handler = async (_ctx, _params, _req, res) => {
  sendJson(res, 200, [{ publisher_id: 1, dataset: GLBX, venue: 'GLBX', description: 'CME Globex MDP 3.0' }]);
};

const datasetRange: Handler = async (ctx, params, _req, res) => {
  datasetParam(params);
  const ranges = schemaRanges(ctx.catalog);
  let start: bigint | undefined;
  let end: bigint | undefined;
  const schema: Record<string, { start: string; end: string }> = {};
  for (const [s, r] of ranges) {
    schema[s] = { start: formatTsNs(r.start), end: formatTsNs(r.end) };
    if (start === undefined || r.start < start) start = r.start;
    if (end === undefined || r.end > end) end = r.end;
  }
  sendJson(res, 200, { start: formatTsNs(start!), end: formatTsNs(end!), schema });
};

/**
 * Per-date condition: the recorded `condition.json.gz` (NQ batch job, 2010-06-06..2025-12-31) where it
 * covers; later dates up to the dataset end are 'available' when a recording has a bar that day,
 * else 'missing' (not recorded here), with last_modified_date null.
 */
const datasetCondition: Handler = async (ctx, params, _req, res) => {
  datasetParam(params);
  const recorded = await ctx.catalog.condition();
  const ranges = [...schemaRanges(ctx.catalog).values()];
  const first = recorded[0].date;
  const lastNs = ranges.reduce((m, r) => (r.end > m ? r.end : m), 0n) - 1n;
  const startDate = dateParam(params, 'start_date', { required: false }) ?? first;
  const endDate = dateParam(params, 'end_date', { required: false }) ?? formatTsNs(lastNs).slice(0, 10);
  const out: { date: string; condition: string; last_modified_date: string | null }[] = recorded.filter(
    (c) => c.date >= startDate && c.date <= endDate,
  );
  const coveredTo = recorded[recorded.length - 1].date;
  const barDays = await recordedBarDays(ctx.catalog, coveredTo);
  for (let day = nextDate(coveredTo > startDate ? coveredTo : prevDate(startDate)); day <= endDate; day = nextDate(day)) {
    if (parseTimeNs(day) > lastNs) break;
    out.push({ date: day, condition: barDays.has(day) ? 'available' : 'missing', last_modified_date: null });
  }
  sendJson(res, 200, out);
};

function nextDate(d: string): string {
  return new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
function prevDate(d: string): string {
  return new Date(Date.parse(`${d}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

async function recordedBarDays(catalog: Catalog, after: string): Promise<Set<string>> {
  const days = new Set<string>();
  const from = parseTimeNs(nextDate(after));
  for (const p of catalog.products) {
    for (const src of Object.values(p.sources)) {
      if (!src || src.kind !== 'ohlcv' || src.end <= from) continue;
      const c = await src.load(from, src.end);
      for (let i = 0; i < c.length; i++) if (c.ts_event[i] >= from) days.add(formatTsNs(c.ts_event[i]).slice(0, 10));
    }
  }
  return days;
}

const listUnitPrices: Handler = async (ctx, params, _req, res) => {
  datasetParam(params);
  const served = [...schemaRanges(ctx.catalog).keys()];
  const unit_prices = Object.fromEntries(served.map((s) => [s, ctx.prices[s]]));
  sendJson(res, 200, [
    { mode: 'historical', unit_prices },
    { mode: 'historical-streaming', unit_prices },
  ]);
};

const symbologyResolve: Handler = async (ctx, params, _req, res) => {
  const dataset = datasetParam(params);
  const symbols = parseSymbols(params);
  const stype_in = enumParam(stypeSchema, params, 'stype_in', 'raw_symbol');
  const stype_out = enumParam(stypeSchema, params, 'stype_out', stype_in === 'instrument_id' ? 'raw_symbol' : 'instrument_id');
  const start_date = dateParam(params, 'start_date', { required: true })!;
  const end_date = dateParam(params, 'end_date', { required: false }) ?? nextDate(start_date);
  sendJson(res, 200, resolveSymbology(ctx.catalog, { dataset, symbols, stype_in, stype_out, start_date, end_date }));
};

const submitJob: Handler = async (ctx, params, _req, res) => {
  const q = parseRangeQuery(params);
  const opts = parseOutputOptions(params, 'zstd');
  const split = enumParam(splitDurationSchema, params, 'split_duration', 'day');
  const split_symbols = parseBool(params, 'split_symbols', false);
  if (split_symbols) throw businessError(422, 'batch_split_symbols_unsupported', 'split_symbols=true is not supported by this gateway.');
  const delivery = params.delivery?.trim() || 'download';
  if (delivery !== 'download') throw businessError(422, 'batch_delivery_unsupported', `delivery '${delivery}' is not supported; use download.`);
  const whole = await quote(ctx, q); // validates like get_range and prices the whole job
  const files: ProducedFile[] = [];
  for (const part of splitRange(q.start, q.end, split)) {
    const pq: RangeQuery = { ...q, start: part.start, end: part.end };
    let pr: Quote;
    try {
      pr = await quote(ctx, pq);
    } catch (err) {
      if (err instanceof GatewayHttpError && err.status === 422) continue; // nothing resolvable in this part
      throw err;
    }
    if (pr.selection.count === 0) continue; // Databento writes no file for an empty split
    const chunks = [...renderBody(metadataFor(pq, pr.resolved), pr.selection, opts)];
    files.push({ filename: batchFileName(q.dataset, part, split, q.schema, opts), bytes: Buffer.concat(chunks) });
  }
  const metadataJson = {
    version: 1,
    query: {
      dataset: q.dataset,
      schema: q.schema,
      symbols: q.symbols,
      stype_in: q.stype_in,
      stype_out: q.stype_out,
      start: Number(q.start),
      end: Number(q.end),
      limit: q.limit === 0 ? null : q.limit,
      encoding: opts.encoding,
      compression: opts.compression,
    },
    customizations: {
      pretty_px: opts.pretty_px,
      pretty_ts: opts.pretty_ts,
      map_symbols: opts.map_symbols,
      split_symbols,
      split_duration: split,
      split_size: null,
      packaging: null,
      delivery,
    },
  };
  files.push({ filename: 'metadata.json', bytes: Buffer.from(JSON.stringify(metadataJson, null, 4)) });
  const job = await ctx.jobs.submit(
    q,
    opts,
    {
      split_duration: split,
      split_symbols,
      record_count: whole.selection.count,
      billed_size: whole.selection.billableBytes,
      cost_usd: computeCostUsd(whole.selection.billableBytes, ctx.prices[q.schema]),
    },
    files,
  );
  sendJson(res, 200, job);
};

const jobStatesSchema = z.array(z.enum(['queued', 'processing', 'done', 'expired']));

const listJobs: Handler = async (ctx, params, _req, res) => {
  const states = jobStatesSchema.safeParse((params.states ?? 'queued,processing,done').split(',').map((s) => s.trim()).filter(Boolean));
  if (!states.success) throw businessError(422, 'invalid_states', `Invalid states: ${JSON.stringify(params.states)}.`);
  const since = params.since?.trim() ? parseTimeNs(params.since.trim()) : undefined;
  sendJson(res, 200, ctx.jobs.list(states.data as JobState[], since));
};

const jobDetails: Handler = async (ctx, params, _req, res) => {
  sendJson(res, 200, ctx.jobs.get(requiredParam(params, 'job_id')));
};

const listFiles: Handler = async (ctx, params, _req, res) => {
  sendJson(res, 200, ctx.jobs.files(requiredParam(params, 'job_id'), ctx.baseUrl()));
};

/** `GET /v0/batch/download/<user>/<job>/<file>` with `Range: bytes=N-` / `bytes=N-M` resume. */
export async function batchDownload(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
  ctx.stats.batchDownload.requests++;
  const parts = pathname.split('/').slice(4).map(decodeURIComponent);
  if (parts.length !== 3) throw businessError(404, 'not_found', `Not found: ${pathname}`);
  const file = ctx.jobs.filePath(parts[0], parts[1], parts[2]);
  const size = (await stat(file)).size;
  let start = 0;
  let end = size - 1;
  let status = 200;
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes' };
  const range = req.headers.range;
  if (range) {
    const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
    const a = m?.[1] ? Number(m[1]) : undefined;
    const b = m?.[2] ? Number(m[2]) : undefined;
    if (!m || (a === undefined && b === undefined) || (a !== undefined && a >= size) || (a !== undefined && b !== undefined && b < a)) {
      res.writeHead(416, { 'content-range': `bytes */${size}` });
      res.end();
      return;
    }
    if (a === undefined) start = Math.max(0, size - b!);
    else {
      start = a;
      if (b !== undefined) end = Math.min(b, size - 1);
    }
    status = 206;
    headers['content-range'] = `bytes ${start}-${end}/${size}`;
  }
  headers['content-length'] = String(end - start + 1);
  res.writeHead(status, headers);
  const writer = new BodyWriter(res, takeBodyFault(ctx.faults, pathname), (n) => {
    ctx.stats.batchDownload.bytes += n;
  });
  try {
    if (end >= start) for await (const chunk of createReadStream(file, { start, end })) await writer.write(chunk as Buffer);
    writer.end();
  } catch (err) {
    if (err instanceof BodyAbortedError) return;
    throw err;
  }
}

/** `/v0/<family>.<method>` routes: method name → [HTTP methods, handler]. */
export const ROUTES: Record<string, { methods: string[]; handler: Handler }> = {
  'metadata.list_datasets': { methods: ['GET'], handler: listDatasets },
  'metadata.list_schemas': { methods: ['GET'], handler: listSchemas },
  'metadata.list_publishers': { methods: ['GET'], handler: listPublishers },
  'metadata.get_dataset_range': { methods: ['GET'], handler: datasetRange },
  'metadata.get_dataset_condition': { methods: ['GET'], handler: datasetCondition },
  'metadata.list_unit_prices': { methods: ['GET'], handler: listUnitPrices },
  'metadata.get_record_count': { methods: ['POST', 'GET'], handler: recordCount },
  'metadata.get_billable_size': { methods: ['POST', 'GET'], handler: billableSize },
  'metadata.get_cost': { methods: ['POST', 'GET'], handler: getCost },
  'timeseries.get_range': { methods: ['POST', 'GET'], handler: getRange },
  'symbology.resolve': { methods: ['POST', 'GET'], handler: symbologyResolve },
  'batch.submit_job': { methods: ['POST'], handler: submitJob },
  'batch.list_jobs': { methods: ['GET'], handler: listJobs },
  'batch.get_job_details': { methods: ['GET'], handler: jobDetails },
  'batch.list_files': { methods: ['GET'], handler: listFiles },
};

export { sendJson };
export type { OutputOptions };
