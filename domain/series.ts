import { z } from 'zod';
import type { ChunkPlan } from './chunks';
import { type ChunkBatchLimits, DEFAULT_CHUNK_BATCH, chunkBatchLimitsSchema } from './chunk-batches';
import { ohlcvSchemaSchema, stypeSchema } from './databento-enums';
import type { OhlcvSchema, SType } from './databento-enums';

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

const isoTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$|^\d+$/, 'ISO 8601 date/datetime or integer nanoseconds');

/**
 * A chunk adds at most ~12 events to an ingestSeries history (a large one, alone in its batch; small ones in batches
 * add ~2): 100 chunks are at most ~1,300 events, a third of the point where the server suggests continuing as new
 * (4k) and far below the 10,240 warning. Each continue-as-new drains the pipeline
 * (no chunk is prepared across it), so fewer of them keep a long backfill moving; 24 cost a drain every 300 events.
 */
export const DEFAULT_CHUNKS_PER_RUN = 100;

export const backfillInputSchema = z
  .object({
    dataset: z.string().min(1).default('GLBX.MDP3'),
    schemas: z.array(ohlcvSchemaSchema).min(1).max(4),
    symbols: z.array(z.string().min(1).max(70)).min(1).max(2000),
    stypeIn: stypeSchema.default('raw_symbol'),
    start: isoTime,
    end: isoTime,
    /** spend allowed without approval, USD */
    maxCostUsd: z.number().nonnegative().finite(),
    /** how long to wait for approveSpend/rejectSpend before failing with BudgetNotApproved */
    approvalTimeout: z.string().min(1).default('7 days'),
    /** child ingestSeries workflows running at once */
    maxConcurrentSeries: z.number().int().min(1).max(100).default(4),
    /** chunks per ingestSeries run before continue-as-new (see DEFAULT_CHUNKS_PER_RUN) */
    chunksPerRun: z.number().int().min(1).max(500).default(DEFAULT_CHUNKS_PER_RUN),
    /** how many consecutive chunks travel in one fetch and one load activity (see DEFAULT_CHUNK_BATCH) */
    batch: chunkBatchLimitsSchema.default(DEFAULT_CHUNK_BATCH),
    /** how long a series with quarantined chunks waits for resolveQuarantine decisions; '0s' = report and finish */
    quarantineReviewTimeout: z.string().min(1).default('0s'),
    /** how long a chunk's validate/load waits for the worker holding its file before it is downloaded again elsewhere */
    hostAffinityTimeout: z.string().min(1).default('1 minute'),
    /** build features and publish a forecast after loading */
    buildFeatures: z.boolean().default(true),
  })
  .refine((v) => v.start < v.end || /^\d+$/.test(v.start), { message: 'start must be before end', path: ['start'] });

export type BackfillInput = z.input<typeof backfillInputSchema>;
export type BackfillParams = z.output<typeof backfillInputSchema>;

/** Business-key workflow id: a repeated start attaches to the running backfill instead of duplicating it. */
export function backfillWorkflowId(p: Pick<BackfillParams, 'dataset' | 'schemas' | 'symbols' | 'start' | 'end'>): string {
  const day = (t: string) => (/^\d+$/.test(t) ? t : t.slice(0, 10));
  return `backfill/${p.dataset}/${[...p.schemas].sort().join(',')}/${[...p.symbols].sort().join(',')}/${day(p.start)}/${day(p.end)}`;
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
export interface ForecastMetricsSummary {
  horizon: number;
  n: number;
  rmse: number | null;
  mae: number | null;
  directional_accuracy: number | null;
  rw_rmse: number | null;
  rw_mae: number | null;
  mean_rmse: number | null;
  mean_mae: number | null;
  mean_directional_accuracy: number | null;
  skill_vs_rw: number | null;
  skill_vs_mean: number | null;
}

export interface BackfillResult {
  workflowId: string;
  quotedCostUsd: number;
  approvedCostUsd: number;
  approval: 'within-budget' | 'approved';
  series: IngestSeriesResult[];
  features?: { rows: number; changed: number } | null;
  forecast?: { modelRunIds: string[]; metrics: ForecastMetricsSummary[] } | null;
}
