import { z } from 'zod';
import { DEFAULT_CHUNK_BATCH, chunkBatchLimitsSchema } from './chunk-batches';
import { ohlcvSchemaSchema, stypeSchema } from './databento-enums';
import { DEFAULT_CHUNKS_PER_RUN, databentoSymbolSchema, datasetSchema, durationSchema } from './series';

export const seriesKeySchema = z.object({
  dataset: datasetSchema,
  schema: ohlcvSchemaSchema,
  /** the backfill rule: see databentoSymbolSchema */
  symbol: databentoSymbolSchema,
  stypeIn: stypeSchema,
});

export const dailyIngestInputSchema = z
  .object({
    /** the series to bring up to date (the schedules pass their set from schedules/series-config.ts) */
    series: z.array(seriesKeySchema).max(100).default([]),
    /** spend allowed per run; above it the run fails with BudgetNotApproved before anything is paid */
    maxCostUsd: z.number().nonnegative().finite(),
    /** refresh FRED observations of the last `lookbackDays` (needs FRED_API_KEY on the workers) */
    fred: z
      .object({ seriesIds: z.array(z.string().regex(/^[A-Z0-9]{1,30}$/)).min(1).optional(), lookbackDays: z.number().int().min(1).max(3660).default(30) })
      .nullable()
      .default(null),
    /** rebuild features and publish a forecast when something changed */
    buildFeatures: z.boolean().default(true),
    chunksPerRun: z.number().int().min(1).max(500).default(DEFAULT_CHUNKS_PER_RUN),
    batch: chunkBatchLimitsSchema.default(DEFAULT_CHUNK_BATCH),
    hostAffinityTimeout: durationSchema.default('1 minute'),
  })
  .refine((v) => v.series.length > 0 || v.fred !== null, { message: 'nothing to do: give series or fred', path: ['series'] });

export type DailyIngestInput = z.input<typeof dailyIngestInputSchema>;
export type DailyIngestParams = z.output<typeof dailyIngestInputSchema>;

export const validateRecentInputSchema = z.object({
  series: z.array(seriesKeySchema).min(1).max(100),
  /** how many of each series' most recent loaded chunks to re-check */
  lastChunks: z.number().int().min(1).max(100).default(4),
});
export type ValidateRecentInput = z.input<typeof validateRecentInputSchema>;
