import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { z } from 'zod';
import type { WalkForwardMetrics } from '../forecast/walk-forward';
import type { ChunkPlan } from './chunks';
import { type ChunkBatchLimits, DEFAULT_CHUNK_BATCH, chunkBatchLimitsSchema } from './chunk-batches';
import { ohlcvSchemaSchema, stypeSchema } from './databento-enums';
import type { OhlcvSchema, SType } from './databento-enums';
import { parseTimeNs } from './time';

/** One symbol × schema of a dataset: the unit the ledger and the ingestSeries workflow track. */
export interface SeriesKey {
  dataset: string;
  schema: OhlcvSchema;
  symbol: string;
  stypeIn: SType;
}

/** `GLBX.MDP3/ohlcv-1d/ZL.c.0` */
export const seriesId = (s: Pick<SeriesKey, 'dataset' | 'schema' | 'symbol'>): string =>
  `${s.dataset}/${s.schema}/${s.symbol}`;

const ISO_TIME_OR_NS = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$|^\d+$/;

/** Instants are int64 UNIX nanoseconds downstream (DuckDB/BigQuery timestamps, DBN's u64 minus its null), so 1970..2262. */
const MAX_TIME_NS = 2n ** 63n - 1n;

/** `parseTimeNs`, or the reason it refuses the text. Never throws: zod refinements and workflows call it. */
function timeNsOrReason(text: string): { ns: bigint } | { reason: string } {
  try {
    const ns = parseTimeNs(text);
    if (ns < 0n || ns > MAX_TIME_NS) return { reason: `out of range: ${text} (want 1970-01-01 to 2262-04-11, or 0 to ${MAX_TIME_NS} ns)` };
    return { ns };
  } catch (err) {
    return { reason: err instanceof Error ? err.message : String(err) };
  }
}

/** An ISO 8601 date or datetime (naive = UTC) that exists on the calendar and the clock, or integer UNIX nanoseconds. */
const isoTime = z
  .string()
  .regex(ISO_TIME_OR_NS, 'expected an ISO 8601 date or datetime (2025-01-31, 2025-01-31T14:30:00Z) or integer UNIX nanoseconds')
  .superRefine((text, ctx) => {
    if (!ISO_TIME_OR_NS.test(text)) return; // the regex above already said why
    const parsed = timeNsOrReason(text);
    if ('reason' in parsed) ctx.addIssue({ code: 'custom', message: parsed.reason });
  });

/**
 * A symbol as Databento spells it, and nothing that could be read as SQL, a path or a shell word:
 * - raw symbols: outrights `ESZ5`, `ZLN26`, calendar spreads `ESH5-ESM5`, CME options `ESM4 C3550` (the option
 *   definitions recorded in ../shared/data/databento-options have one space between contract and strike),
 *   CME user-defined spreads `UD:1V: VT 0115955563` (see futures/futures-symbol.ts isSpreadSymbol);
 * - parents `ES.FUT`, `ES.OPT`; continuous `ZL.c.0`, `CL.n.1`, `ES.v.10`; `ALL_SYMBOLS`; instrument ids `5482`.
 * So: ASCII letters and digits, with `.`, `_`, `-`, `:` or spaces between them (runs of spaces too, as option
 * symbols that pad a short root to a fixed width have), starting and ending with a letter or digit, no `..`; at most 70 characters
 * (DBN v3's symbol field is 71 bytes with its NUL). No `/`, `\\`, quotes, `,` (the CLI's list separator), `*`,
 * control characters or non-ASCII letters.
 */
const DATABENTO_SYMBOL = /^(?!.*\.\.)[A-Za-z0-9](?:[A-Za-z0-9._:\- ]*[A-Za-z0-9])?$/;

export const databentoSymbolSchema = z
  .string()
  .min(1)
  .max(70)
  .regex(DATABENTO_SYMBOL, {
    error: (iss) =>
      `${JSON.stringify(iss.input)} is not a Databento symbol: use ASCII letters and digits with '.', '_', '-', ':' or spaces between them (e.g. ESZ5, ES.FUT, ZL.c.0, ESM4 C3550)`,
  });

/** A Databento dataset code (`GLBX.MDP3`, `XNAS.ITCH`): the same rule as databento/schemas.ts datasetSchema. */
export const datasetSchema = z
  .string()
  .max(32)
  .regex(/^[A-Z0-9]+\.[A-Z0-9]+$/, 'expected a Databento dataset code such as GLBX.MDP3');

/** A Temporal duration (`7 days`, `90 minutes`, `0s`): the workflow hands it to timers, which throw on `7 dayz`. */
export const durationSchema = z
  .string()
  .min(1)
  .refine(
    (text) => {
      try {
        return msToNumber(text as Duration) >= 0;
      } catch {
        return false;
      }
    },
    { error: (iss) => `${JSON.stringify(iss.input)} is not a duration: use e.g. '7 days', '90 minutes', '1h', '0s'` },
  );

/** Rejects a list that names one item twice (two child workflows would share one id). */
const distinct = <T extends string>(items: T[], ctx: z.RefinementCtx): void => {
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item)) {
      ctx.addIssue({ code: 'custom', message: `${item} is listed twice` });
      return;
    }
    seen.add(item);
  }
};

/** Compared as instants, whatever the forms (`2025-01-01` vs `1735689600000000000`, offsets); unparsable times are the fields' issues. */
function startBeforeEnd(v: { start: string; end: string }): boolean {
  const [start, end] = [timeNsOrReason(v.start), timeNsOrReason(v.end)];
  return !('ns' in start && 'ns' in end) || start.ns < end.ns;
}

/**
 * A USD amount typed on the command line (`--max-cost`): a plain decimal number such as 5 or 0.25, nothing that
 * `Number()` would also take (`0x10` is 16, `""` is 0, `1e3`, `Infinity`), no sign, at most 15 significant digits.
 */
export const usdAmountTextSchema = z
  .string()
  .trim()
  .regex(/^\d{1,15}(\.\d{1,15})?$/, 'expected a plain decimal number of US dollars such as 5 or 0.25 (no sign, exponent, hex or thousands separator)')
  .transform(Number)
  .pipe(z.number().nonnegative().finite());

/**
 * A chunk adds at most ~12 events to an ingestSeries history (a large one, alone in its batch; small ones in batches
 * add ~2): 100 chunks are at most ~1,300 events, a third of the point where the server suggests continuing as new
 * (4k) and far below the 10,240 warning. Each continue-as-new drains the pipeline
 * (no chunk is prepared across it), so fewer of them keep a long backfill moving; 24 cost a drain every 300 events.
 */
export const DEFAULT_CHUNKS_PER_RUN = 100;

export const backfillInputSchema = z
  .object({
    dataset: datasetSchema.default('GLBX.MDP3'),
    schemas: z.array(ohlcvSchemaSchema).min(1).max(4).superRefine(distinct),
    symbols: z.array(databentoSymbolSchema).min(1).max(2000).superRefine(distinct),
    stypeIn: stypeSchema.default('raw_symbol'),
    start: isoTime,
    end: isoTime,
    /** spend allowed without approval, USD */
    maxCostUsd: z.number().nonnegative().finite(),
    /** how long to wait for approveSpend/rejectSpend before failing with BudgetNotApproved */
    approvalTimeout: durationSchema.default('7 days'),
    /** child ingestSeries workflows running at once */
    maxConcurrentSeries: z.number().int().min(1).max(100).default(4),
    /** chunks per ingestSeries run before continue-as-new (see DEFAULT_CHUNKS_PER_RUN) */
    chunksPerRun: z.number().int().min(1).max(500).default(DEFAULT_CHUNKS_PER_RUN),
    /** how many consecutive chunks travel in one fetch and one load activity (see DEFAULT_CHUNK_BATCH) */
    batch: chunkBatchLimitsSchema.default(DEFAULT_CHUNK_BATCH),
    /** how long a series with quarantined chunks waits for resolveQuarantine decisions; '0s' = report and finish */
    quarantineReviewTimeout: durationSchema.default('0s'),
    /** how long a chunk's validate/load waits for the worker holding its file before it is downloaded again elsewhere */
    hostAffinityTimeout: durationSchema.default('1 minute'),
    /** build features and publish a forecast after loading */
    buildFeatures: z.boolean().default(true),
  })
  .refine(startBeforeEnd, { message: 'start must be before end', path: ['start'] });

export type BackfillInput = z.input<typeof backfillInputSchema>;
export type BackfillParams = z.output<typeof backfillInputSchema>;

/**
 * Temporal refuses workflow ids over 1,000 bytes by default (`limit.maxIDLength`); a backfill's id stays at or under
 * this, leaving room for the `/<schema>/<symbol>` its children append.
 */
export const MAX_BACKFILL_WORKFLOW_ID_BYTES = 400;

const FNV64_OFFSET_BASIS = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const U64_MASK = (1n << 64n) - 1n;

/**
 * FNV-1a 64-bit of the text's UTF-8 bytes, as 16 hex digits. A NON-cryptographic digest that shortens ids: it is
 * deterministic and pure (no node:crypto, so the workflow bundle may import this module) and spreads similar lists
 * apart, but anyone who wants to can construct two inputs with the same digest. Never use it for integrity.
 */
export function fnv1a64Hex(text: string): string {
  let hash = FNV64_OFFSET_BASIS;
  for (const byte of new TextEncoder().encode(text)) hash = ((hash ^ BigInt(byte)) * FNV64_PRIME) & U64_MASK;
  return hash.toString(16).padStart(16, '0');
}

/**
 * Business-key workflow id: a repeated start attaches to the running backfill instead of duplicating it.
 * `backfill/<dataset>/<schemas sorted>/<symbols sorted>/<start day>/<end day>`; when the symbols would make it
 * longer than MAX_BACKFILL_WORKFLOW_ID_BYTES they are replaced by `<n> symbols fnv1a64:<digest of the sorted list>`
 * (the same for any order of the same list, so a repeated start still attaches). The full list is in the memo.
 */
export function backfillWorkflowId(p: Pick<BackfillParams, 'dataset' | 'schemas' | 'symbols' | 'start' | 'end'>): string {
  const day = (t: string) => (/^\d+$/.test(t) ? t : t.slice(0, 10));
  const symbols = [...p.symbols].sort();
  const id = (symbolsPart: string) => `backfill/${p.dataset}/${[...p.schemas].sort().join(',')}/${symbolsPart}/${day(p.start)}/${day(p.end)}`;
  const readable = id(symbols.join(','));
  if (new TextEncoder().encode(readable).length <= MAX_BACKFILL_WORKFLOW_ID_BYTES) return readable;
  return id(`${symbols.length} symbols fnv1a64:${fnv1a64Hex(symbols.join(','))}`);
}

export type ChunkState = 'pending' | 'quoted' | 'downloading' | 'downloaded' | 'validated' | 'loaded' | 'quarantined' | 'failed' | 'skipped';

export interface ChunkQuote extends ChunkPlan {
  costUsd: number;
  records: number;
  billableBytes: number;
  /** already loaded according to the ledger: no request, no cost */
  alreadyLoaded: boolean;
}

/** A chunk file in some worker's chunk store, as workflows see it: a reference, never the bars. */
export interface StoredChunkRef {
  chunkId: string;
  start: string;
  end: string;
  file: string;
  sha256: string;
  records: number;
  recordBytes: number;
  bytesRequested: number;
  costUsd: number | null;
  /** the worker task queue that holds the file */
  hostQueue: string;
  /** true when the file was already in the store and nothing was requested */
  reused: boolean;
}

export interface ChunkProgress extends ChunkPlan {
  state: ChunkState;
  costUsd?: number;
  records?: number;
  bytes?: number;
  rows?: number;
  detail?: string;
  /** kept for quarantined chunks, so an operator's accept can load the file where it is */
  ref?: StoredChunkRef;
}

export interface IngestSeriesInput {
  series: SeriesKey;
  /** chunks still to process, in order */
  chunks: ChunkQuote[];
  /** upper bound per chunk agreed at the cost gate; a re-quote above it stops the run */
  approvedCostUsd: Record<string, number>;
  chunksPerRun: number;
  /** consecutive chunks per fetch and load activity: the parent passes its own (by default DEFAULT_CHUNK_BATCH) */
  batch: ChunkBatchLimits;
  /** see BackfillParams.hostAffinityTimeout */
  hostAffinityTimeout?: string;
  /** see BackfillParams.quarantineReviewTimeout */
  quarantineReviewTimeout?: string;
  /** state carried over continue-as-new */
  done?: ChunkProgress[];
  parentWorkflowId?: string;
}

export interface IngestSeriesResult {
  series: string;
  chunks: ChunkProgress[];
  rowsLoaded: number;
  bytesDownloaded: number;
  costUsd: number;
  quarantined: string[];
}

/** Walk-forward skill of one horizon beside its naive baselines (small: fine in a payload). */
export type ForecastMetricsSummary = WalkForwardMetrics;

export interface BackfillResult {
  workflowId: string;
  quotedCostUsd: number;
  approvedCostUsd: number;
  approval: 'within-budget' | 'approved';
  series: IngestSeriesResult[];
  features?: { rows: number; changed: number } | null;
  forecast?: { modelRunIds: string[]; metrics: ForecastMetricsSummary[] } | null;
}
