/**
 * zod schemas for every request (camelCase input, checked before anything is sent) and every JSON response
 * of the Databento Historical API. Inputs are strict objects so a snake_case typo (`stype_in`) fails loudly.
 */
import { z } from 'zod';
import { compressionSchema, encodingSchema, schemaSchema, stypeSchema } from '../domain/databento-enums';
import { parseTimeNs } from '../domain/time';

export const MAX_SYMBOLS_PER_REQUEST = 2000;
export const ALL_SYMBOLS = 'ALL_SYMBOLS';

export const datasetSchema = z
  .string()
  .regex(/^[A-Z0-9]+\.[A-Z0-9]+$/, 'expected a dataset code such as GLBX.MDP3');

/** `YYYY-MM-DD`, a real calendar date */
export const dateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'not a calendar date');

/** ISO 8601 date/datetime (naive = UTC) or integer UNIX nanoseconds; parsed exactly to bigint ns */
export const timeSchema = z.union([z.string().min(1), z.number().int().nonnegative(), z.bigint().nonnegative()]).transform((v, ctx) => {
  try {
    return parseTimeNs(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

/** a list or a comma-separated string; omitted means every symbol */
export const symbolsSchema = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v, ctx) => {
    if (v === undefined) return [ALL_SYMBOLS];
    const list = (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim());
    if (list.length === 0 || list.some((s) => s === '')) {
      ctx.addIssue({ code: 'custom', message: 'symbols must be non-empty' });
      return z.NEVER;
    }
    if (list.some((s) => s.includes(','))) {
      ctx.addIssue({ code: 'custom', message: 'a symbol may not contain a comma' });
      return z.NEVER;
    }
    if (list.length > MAX_SYMBOLS_PER_REQUEST) {
      ctx.addIssue({ code: 'custom', message: `at most ${MAX_SYMBOLS_PER_REQUEST} symbols per request, got ${list.length}` });
      return z.NEVER;
    }
    return list;
  });

function startBeforeEnd(q: { start: bigint; end?: bigint }, ctx: z.RefinementCtx): void {
  if (q.end !== undefined && q.start >= q.end) {
    ctx.addIssue({ code: 'custom', path: ['end'], message: 'end must be after start (end is exclusive)' });
  }
}

const rangeFields = {
  dataset: datasetSchema,
  symbols: symbolsSchema,
  schema: schemaSchema,
  start: timeSchema,
  end: timeSchema.optional(),
  stypeIn: stypeSchema.default('raw_symbol'),
  stypeOut: stypeSchema.default('instrument_id'),
  limit: z.number().int().positive().optional(),
};

/**
 * The query shared by get_cost / get_record_count / get_billable_size / get_range. The output-format fields
 * of get_range are accepted and ignored here so a cost check can take the very object get_range will get
 * (billing is on DBN size whatever the encoding).
 */
export const rangeQuerySchema = z
  .strictObject({
    ...rangeFields,
    encoding: encodingSchema.optional(),
    compression: compressionSchema.optional(),
    prettyPx: z.boolean().optional(),
    prettyTs: z.boolean().optional(),
    mapSymbols: z.boolean().optional(),
  })
  .superRefine(startBeforeEnd);
export type RangeQuery = z.input<typeof rangeQuerySchema>;
export type ParsedRangeQuery = z.output<typeof rangeQuerySchema>;

export const getRangeQuerySchema = z
  .strictObject({
    ...rangeFields,
    encoding: encodingSchema.default('dbn'),
    compression: compressionSchema.default('zstd'),
    prettyPx: z.boolean().optional(),
    prettyTs: z.boolean().optional(),
    mapSymbols: z.boolean().optional(),
  })
  .superRefine(startBeforeEnd);
export type GetRangeQuery = z.input<typeof getRangeQuerySchema>;
export type ParsedGetRangeQuery = z.output<typeof getRangeQuerySchema>;

/** Form fields in Databento's wire names; times always as integer ns (as the Rust client sends them). */
export function rangeParams(q: ParsedRangeQuery): Record<string, string> {
  const p: Record<string, string> = {
    dataset: q.dataset,
    symbols: q.symbols.join(','),
    schema: q.schema,
    start: q.start.toString(),
    stype_in: q.stypeIn,
    stype_out: q.stypeOut,
  };
  if (q.end !== undefined) p.end = q.end.toString();
  if (q.limit !== undefined) p.limit = String(q.limit);
  return p;
}

export function getRangeParams(q: ParsedGetRangeQuery): Record<string, string> {
  const p = rangeParams(q);
  p.encoding = q.encoding;
  p.compression = q.compression;
  if (q.prettyPx !== undefined) p.pretty_px = String(q.prettyPx);
  if (q.prettyTs !== undefined) p.pretty_ts = String(q.prettyTs);
  if (q.mapSymbols !== undefined) p.map_symbols = String(q.mapSymbols);
  return p;
}

// metadata inputs

export const listDatasetsInputSchema = z
  .strictObject({ startDate: dateSchema.optional(), endDate: dateSchema.optional() })
  .refine((q) => !q.startDate || !q.endDate || q.startDate < q.endDate, { path: ['endDate'], message: 'endDate must be after startDate' });
export const datasetInputSchema = z.strictObject({ dataset: datasetSchema });
export const datasetConditionInputSchema = z
  .strictObject({ dataset: datasetSchema, startDate: dateSchema.optional(), endDate: dateSchema.optional() })
  .refine((q) => !q.startDate || !q.endDate || q.startDate <= q.endDate, { path: ['endDate'], message: 'endDate must not be before startDate' });

// metadata responses

export const stringListSchema = z.array(z.string());
export const publisherSchema = z.looseObject({
  publisher_id: z.number().int(),
  dataset: z.string(),
  venue: z.string(),
  description: z.string(),
});
export type Publisher = z.infer<typeof publisherSchema>;

const isoRangeSchema = z.looseObject({ start: z.string(), end: z.string() });
export const datasetRangeSchema = z.looseObject({
  start: z.string(),
  end: z.string(),
  schema: z.record(z.string(), isoRangeSchema).optional(),
});
export type DatasetRange = z.infer<typeof datasetRangeSchema>;

export const datasetConditionSchema = z.array(
  z.looseObject({
    date: dateSchema,
    condition: z.enum(['available', 'degraded', 'pending', 'missing', 'intraday']),
    last_modified_date: dateSchema.nullable().optional(),
  }),
);
export type DatasetCondition = z.infer<typeof datasetConditionSchema>;

export const unitPricesSchema = z.array(
  z.looseObject({ mode: z.string(), unit_prices: z.record(z.string(), z.number().nonnegative()) }),
);
export type UnitPrices = z.infer<typeof unitPricesSchema>;

export const costSchema = z.number().finite().nonnegative();
export const countSchema = z.number().int().nonnegative();

// symbology

export const resolveInputSchema = z
  .strictObject({
    dataset: datasetSchema,
    symbols: symbolsSchema,
    stypeIn: stypeSchema,
    stypeOut: stypeSchema,
    startDate: dateSchema,
    endDate: dateSchema.optional(),
  })
  .refine((q) => !q.endDate || q.startDate < q.endDate, { path: ['endDate'], message: 'endDate must be after startDate' });
export type ResolveInput = z.input<typeof resolveInputSchema>;

const mappingIntervalSchema = z.looseObject({ d0: dateSchema, d1: dateSchema, s: z.string() });
export const resolveResponseSchema = z.looseObject({
  result: z.record(z.string(), z.array(mappingIntervalSchema)),
  symbols: z.array(z.string()).optional(),
  stype_in: z.string().optional(),
  stype_out: z.string().optional(),
  start_date: z.string().optional(),
  end_date: z.string().nullable().optional(),
  partial: z.array(z.string()),
  not_found: z.array(z.string()),
  message: z.string().optional(),
  status: z.number().optional(),
});
export type ResolveResponse = z.infer<typeof resolveResponseSchema>;

// batch

export const jobStateSchema = z.enum(['received', 'queued', 'processing', 'done', 'expired']);
export type JobState = z.infer<typeof jobStateSchema>;

export const submitJobInputSchema = z
  .strictObject({
    ...rangeFields,
    end: timeSchema,
    encoding: encodingSchema.default('dbn'),
    compression: compressionSchema.default('zstd'),
    prettyPx: z.boolean().default(false),
    prettyTs: z.boolean().default(false),
    mapSymbols: z.boolean().default(false),
    splitSymbols: z.boolean().default(false),
    splitDuration: z.enum(['day', 'week', 'month', 'year', 'none']).default('day'),
    splitSize: z.number().int().positive().optional(),
    delivery: z.literal('download').default('download'),
  })
  .superRefine(startBeforeEnd);
export type SubmitJobInput = z.input<typeof submitJobInputSchema>;

export function submitJobParams(q: z.output<typeof submitJobInputSchema>): Record<string, string> {
  const p = rangeParams(q);
  p.encoding = q.encoding;
  p.compression = q.compression;
  p.pretty_px = String(q.prettyPx);
  p.pretty_ts = String(q.prettyTs);
  p.map_symbols = String(q.mapSymbols);
  p.split_symbols = String(q.splitSymbols);
  p.split_duration = q.splitDuration;
  if (q.splitSize !== undefined) p.split_size = String(q.splitSize);
  p.delivery = q.delivery;
  return p;
}

export const listJobsInputSchema = z.strictObject({
  states: z.array(jobStateSchema).min(1).optional(),
  since: timeSchema.optional(),
});
export const jobIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a batch job id such as GLBX-20260102-DL9NLQ7JRY');

const nullableString = z.string().nullable().optional();
const nullableNumber = z.number().nullable().optional();
export const batchJobSchema = z.looseObject({
  id: z.string(),
  state: z.string(),
  dataset: z.string(),
  user_id: nullableString,
  cost_usd: nullableNumber,
  symbols: z.union([z.string(), z.array(z.string())]).optional(),
  stype_in: nullableString,
  stype_out: nullableString,
  schema: nullableString,
  start: nullableString,
  end: nullableString,
  limit: nullableNumber,
  encoding: nullableString,
  compression: nullableString,
  split_duration: nullableString,
  record_count: nullableNumber,
  billed_size: nullableNumber,
  actual_size: nullableNumber,
  package_size: nullableNumber,
  ts_received: nullableString,
  ts_queued: nullableString,
  ts_process_start: nullableString,
  ts_process_done: nullableString,
  ts_expiration: nullableString,
});
export type BatchJob = z.infer<typeof batchJobSchema>;

export const batchFileSchema = z.looseObject({
  filename: z.string().min(1),
  size: z.number().int().nonnegative(),
  hash: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected sha256:<64 hex>'),
  urls: z.looseObject({ https: z.string().min(1), ftp: z.string().optional() }),
});
export type BatchFile = z.infer<typeof batchFileSchema>;
export const batchFileListSchema = z.array(batchFileSchema);

/** What `downloadFile` needs from a listed file; the filename must stay inside the destination folder. */
export const downloadFileInputSchema = z.looseObject({
  filename: z.string().min(1).refine((f) => !f.includes('/') && !f.includes('\\') && f !== '.' && f !== '..', 'a bare file name'),
  size: z.number().int().nonnegative(),
  hash: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected sha256:<64 hex>'),
  urls: z.looseObject({ https: z.string().min(1) }),
});
