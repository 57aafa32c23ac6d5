import {
  type ActivityOptions,
  ApplicationFailure,
  ParentClosePolicy,
  defineQuery,
  executeChild,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { z } from 'zod';
import type { PipelineActivities } from '../activities/pipeline/create-activities';
import type { AnalyticsActivities } from '../activities/analytics/create-analytics-activities';
import type { DailyActivities, DailyPlan, RecentChunkCheck } from '../activities/pipeline/daily-activities';
import { ohlcvSchemaSchema, stypeSchema } from '../domain/databento-enums';
import { Dataset, PipelineStage, Schema, Symbols, seriesSearchAttributes } from '../domain/search-attributes';
import { DEFAULT_CHUNKS_PER_RUN, type SeriesKey, seriesId } from '../domain/series';
import { ingestSeries } from './ingest-series';
import { parseWorkflowInput } from './parse-input';

const seriesKeySchema = z.object({
  dataset: z.string().min(1),
  schema: ohlcvSchemaSchema,
  symbol: z.string().min(1).max(70),
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
    hostAffinityTimeout: z.string().min(1).default('1 minute'),
  })
  .refine((v) => v.series.length > 0 || v.fred !== null, { message: 'nothing to do: give series or fred', path: ['series'] });

export type DailyIngestInput = z.input<typeof dailyIngestInputSchema>;
type DailyIngestParams = z.output<typeof dailyIngestInputSchema>;

export interface DailySeriesResult {
  series: string;
  status: 'up-to-date' | 'no-history' | 'loaded' | 'failed';
  from: string | null;
  to: string | null;
  rowsLoaded: number;
  costUsd: number;
  chunks: string[];
  quarantined: string[];
  detail: string;
}

export interface DailyIngestResult {
  workflowId: string;
  series: DailySeriesResult[];
  rowsLoaded: number;
  costUsd: number;
  fred: { changed: number; start: string } | null;
  features: { rows: number; changed: number } | null;
  forecast: { modelRunIds: string[] } | null;
}

export interface DailyProgress {
  stage: string;
  detail: string;
  series: DailySeriesResult[];
}

export const dailyProgressQuery = defineQuery<DailyProgress>('progress');

const DAILY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10, nonRetryableErrorTypes: ['InvalidCostQuote'] },
};
const LONG_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
};
const daily = proxyActivities<DailyActivities>(DAILY_OPTIONS);
const analytics = proxyActivities<AnalyticsActivities>(LONG_OPTIONS);
const pipeline = proxyActivities<PipelineActivities>(LONG_OPTIONS);

function tagSeries(series: SeriesKey[], fallback: { dataset: string; schema: string; symbols: string[] }) {
  upsertSearchAttributes([
    { key: Dataset, value: series[0]?.dataset ?? fallback.dataset },
    { key: Schema, value: series.length ? [...new Set(series.map((s) => s.schema))].join(',') : fallback.schema },
    { key: Symbols, value: series.length ? [...new Set(series.map((s) => s.symbol))] : fallback.symbols },
  ]);
}

/**
 * The scheduled incremental run. Per series: plan `[last loaded end, last complete UTC day)` and price it; nothing
 * new → reported `up-to-date`. New bars → the same `ingestSeries` child as a backfill (download → validate → load →
 * ledger). Then optionally FRED, features and a forecast.
 *
 * Cost gate: a scheduled run never waits for a person (it would hold the schedule's single slot for days, and
 * the overlap policy would skip every following day). Over `maxCostUsd` it fails with BudgetNotApproved before
 * any download; the schedule pauses (pauseOnFailure) and an operator runs an approved `backfill` for the gap.
 */
export async function dailyIngest(raw: DailyIngestInput): Promise<DailyIngestResult> {
  const input: DailyIngestParams = parseWorkflowInput(dailyIngestInputSchema, raw, 'dailyIngest');
  const workflowId = workflowInfo().workflowId;
  let stage = 'quoting';
  let detail = '';
  const results = new Map<string, DailySeriesResult>();
  const setStage = (next: string, details: string) => {
    stage = next;
    detail = details;
    upsertSearchAttributes([{ key: PipelineStage, value: next }]);
    setCurrentDetails(details);
  };
  setHandler(dailyProgressQuery, () => ({ stage, detail, series: [...results.values()] }));
  tagSeries(input.series, { dataset: 'FRED', schema: 'observations', symbols: input.fred?.seriesIds ?? ['FRED'] });
  setStage('quoting', `planning ${input.series.length} series`);

  // --- plan and price every series before anything is paid for
  const plans: { key: SeriesKey; plan: DailyPlan }[] = [];
  for (const key of input.series) {
    const plan = await daily.planDailySeries.executeWithOptions(
      { ...DAILY_OPTIONS, summary: `plan ${seriesId(key)} since last load` },
      [{ series: key }],
    );
    plans.push({ key, plan });
    results.set(plan.series, {
      series: plan.series,
      status: plan.status === 'new-data' ? 'up-to-date' : plan.status,
      from: plan.from,
      to: plan.to,
      rowsLoaded: 0,
      costUsd: 0,
      chunks: plan.chunks.map((c) => c.id),
      quarantined: [],
      detail: plan.detail,
    });
  }
  const toIngest = plans.filter((p) => p.plan.status === 'new-data');
  const quotedCostUsd = toIngest.reduce((s, p) => s + p.plan.costUsd, 0);
  if (quotedCostUsd > input.maxCostUsd) {
    // no "$" in current details: the UI renders them as Markdown with math, where "$…$" is a formula
    setStage('rejected', `cost USD ${quotedCostUsd.toFixed(6)} exceeds the daily budget USD ${input.maxCostUsd.toFixed(6)}: run an approved backfill for the gap`);
    throw ApplicationFailure.nonRetryable(
      `daily increment costs USD ${quotedCostUsd.toFixed(6)}, above the run's budget USD ${input.maxCostUsd.toFixed(6)}; nothing was downloaded`,
      'BudgetNotApproved',
    );
  }
  const headroom = input.maxCostUsd - quotedCostUsd;

  // --- ingest the new ranges, one series at a time (daily increments are small)
  const failures: string[] = [];
  for (const { key, plan } of toIngest) {
    const id = plan.series;
    setStage('ingesting', `${id}: ingesting ${plan.records} new records [${plan.from}, ${plan.to})`);
    try {
      const r = await executeChild(ingestSeries, {
        workflowId: `${workflowId}/${key.schema}/${key.symbol}`,
        args: [
          {
            series: key,
            chunks: plan.chunks,
            approvedCostUsd: Object.fromEntries(plan.chunks.map((c) => [c.id, c.costUsd + headroom])),
            chunksPerRun: input.chunksPerRun,
            hostAffinityTimeout: input.hostAffinityTimeout,
            parentWorkflowId: workflowId,
          },
        ],
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        typedSearchAttributes: seriesSearchAttributes(key),
        staticSummary: `daily ingest ${id} ${plan.from}..${plan.to}`,
      });
      if (key.stypeIn === 'continuous' && r.rowsLoaded > 0) {
        await pipeline.updateRollCalendar.executeWithOptions({ ...LONG_OPTIONS, summary: `roll calendar ${id}` }, [{ series: key }]);
      }
      results.set(id, {
        ...results.get(id)!,
        status: 'loaded',
        rowsLoaded: r.rowsLoaded,
        costUsd: r.costUsd,
        quarantined: r.quarantined,
        detail: `${id}: loaded ${r.rowsLoaded} rows in [${plan.from}, ${plan.to})${r.quarantined.length ? `; quarantined ${r.quarantined.join(', ')}` : ''}`,
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      failures.push(`${id}: ${message}`);
      results.set(id, { ...results.get(id)!, status: 'failed', detail: `${id}: ${message}` });
      log.warn('daily series failed', { series: id, error: message });
    }
  }

  let fred: DailyIngestResult['fred'] = null;
  if (input.fred) {
    setStage('ingesting', `refreshing FRED (last ${input.fred.lookbackDays} days)`);
    const r = await analytics.ingestFred.executeWithOptions(
      { ...LONG_OPTIONS, summary: `refresh FRED last ${input.fred.lookbackDays} days` },
      [{ seriesIds: input.fred.seriesIds, lookbackDays: input.fred.lookbackDays }],
    );
    fred = { changed: r.changed, start: r.start ?? '' };
  }

  const rowsLoaded = [...results.values()].reduce((s, r) => s + r.rowsLoaded, 0);
  const costUsd = [...results.values()].reduce((s, r) => s + r.costUsd, 0);
  let features: DailyIngestResult['features'] = null;
  let forecast: DailyIngestResult['forecast'] = null;
  if (input.buildFeatures && !failures.length && (rowsLoaded > 0 || (fred?.changed ?? 0) > 0)) {
    setStage('building_features', 'building training.daily_ml_matrix');
    const built = await analytics.buildFeatures.executeWithOptions(
      { ...LONG_OPTIONS, summary: 'build training.daily_ml_matrix' },
      [{}],
    );
    features = { rows: built.rows, changed: built.changed };
    setStage('publishing_forecast', 'walk-forward forecast');
    const published = await analytics.publishForecast.executeWithOptions(
      { ...LONG_OPTIONS, summary: 'publish walk-forward forecast' },
      [{}],
    );
    forecast = { modelRunIds: published.modelRunIds };
  }

  if (failures.length) {
    setStage('failed', failures.join('; '));
    throw ApplicationFailure.nonRetryable(`daily ingest failed for ${failures.length} series: ${failures.join('; ')}`, 'DailyIngestFailed');
  }
  const all = [...results.values()];
  const summary = all.map((r) => (r.status === 'loaded' ? `${r.series} +${r.rowsLoaded} rows` : `${r.series} ${r.status}`));
  if (fred) summary.push(`FRED ${fred.changed} changed`);
  setStage('done', summary.join('; ') || 'nothing to do');
  return { workflowId, series: all, rowsLoaded, costUsd, fred, features, forecast };
}

export const validateRecentInputSchema = z.object({
  series: z.array(seriesKeySchema).min(1).max(100),
  /** how many of each series' most recent loaded chunks to re-check */
  lastChunks: z.number().int().min(1).max(100).default(4),
});
export type ValidateRecentInput = z.input<typeof validateRecentInputSchema>;

export interface ValidateRecentResult {
  series: { series: string; checked: RecentChunkCheck[]; failed: number }[];
  failed: number;
}

/**
 * The weekly check: re-validates each series' most recent loaded chunks against their stored files and the
 * warehouse. Any mismatch fails the run (non-retryable) so the schedule pauses and someone looks.
 */
export async function validateRecent(raw: ValidateRecentInput): Promise<ValidateRecentResult> {
  const input = parseWorkflowInput(validateRecentInputSchema, raw, 'validateRecent');
  tagSeries(input.series, { dataset: '', schema: '', symbols: [] });
  upsertSearchAttributes([{ key: PipelineStage, value: 'validating' }]);
  const out: ValidateRecentResult['series'] = [];
  for (const key of input.series) {
    setCurrentDetails(`re-validating the last ${input.lastChunks} chunks of ${seriesId(key)}`);
    out.push(
      await daily.revalidateRecent.executeWithOptions(
        { ...LONG_OPTIONS, summary: `re-validate last ${input.lastChunks} chunks of ${seriesId(key)}` },
        [{ series: key, lastChunks: input.lastChunks }],
      ),
    );
  }
  const failed = out.reduce((s, r) => s + r.failed, 0);
  const bad = out.flatMap((r) => r.checked.filter((c) => c.status !== 'ok' && c.status !== 'file-unavailable').map((c) => `${r.series}/${c.chunkId}: ${c.detail}`));
  if (failed) {
    upsertSearchAttributes([{ key: PipelineStage, value: 'failed' }]);
    setCurrentDetails(bad.join('; '));
    throw ApplicationFailure.nonRetryable(`recent chunks failed re-validation: ${bad.join('; ')}`, 'RecentDataInvalid');
  }
  upsertSearchAttributes([{ key: PipelineStage, value: 'done' }]);
  const checked = out.reduce((s, r) => s + r.checked.length, 0);
  setCurrentDetails(`${checked} chunks re-validated, all ok`);
  return { series: out, failed };
}
