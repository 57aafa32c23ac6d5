import { type ActivityOptions, ParentClosePolicy, executeChild, proxyActivities } from '@temporalio/workflow';
import type { PipelineActivities } from '../activities/create-activities';
import type { PipelineStageValue } from '../domain/search-attributes';
import { seriesSearchAttributes } from '../domain/search-attributes';
import type { ChunkQuote, ForecastMetricsSummary, IngestSeriesInput, IngestSeriesResult, SeriesKey } from '../domain/series';
import { seriesId } from '../domain/series';
import { ingestSeries } from './ingest-series';

export const QUOTE_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10, nonRetryableErrorTypes: ['InvalidCostQuote'] },
};
export const LONG_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
};
const activities = proxyActivities<PipelineActivities>(LONG_OPTIONS);

export type SeriesRunOptions = Pick<IngestSeriesInput, 'chunksPerRun' | 'batch' | 'hostAffinityTimeout' | 'quarantineReviewTimeout'>;

/** what a parent run passes on to each series it ingests */
export const seriesRunOptions = (p: SeriesRunOptions): SeriesRunOptions => ({
  chunksPerRun: p.chunksPerRun,
  batch: p.batch,
  hostAffinityTimeout: p.hostAffinityTimeout,
  quarantineReviewTimeout: p.quarantineReviewTimeout,
});

/** One series in its own ingestSeries child; each chunk may cost its quote plus the budget's `headroom`. */
export function ingestChild(
  parentWorkflowId: string,
  series: SeriesKey,
  chunks: ChunkQuote[],
  options: SeriesRunOptions & { headroom: number; summary: string },
): Promise<IngestSeriesResult> {
  const { headroom, summary, ...run } = options;
  return executeChild(ingestSeries, {
    workflowId: `${parentWorkflowId}/${series.schema}/${series.symbol}`,
    args: [{ series, chunks, approvedCostUsd: Object.fromEntries(chunks.map((c) => [c.id, c.costUsd + headroom])), ...run, parentWorkflowId }],
    parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    typedSearchAttributes: seriesSearchAttributes(series),
    staticSummary: summary,
  });
}

/** Databento continuous symbols change contract at each roll: the seams, for roll-aware features. */
export async function updateRollCalendar(series: SeriesKey): Promise<void> {
  if (series.stypeIn !== 'continuous') return;
  await activities.updateRollCalendar.executeWithOptions({ ...LONG_OPTIONS, summary: `roll calendar ${seriesId(series)}` }, [{ series }]);
}

export interface AnalyticsOutcome {
  features: { rows: number; changed: number };
  forecast: { modelRunIds: string[]; metrics: ForecastMetricsSummary[] };
}

/** training.daily_ml_matrix, then the walk-forward forecast. */
export async function featuresAndForecast(setStage: (stage: PipelineStageValue, detail: string) => void): Promise<AnalyticsOutcome> {
  setStage('building_features', 'building training.daily_ml_matrix');
  const built = await activities.buildFeatures.executeWithOptions({ ...LONG_OPTIONS, summary: 'build training.daily_ml_matrix' }, [{}]);
  setStage('publishing_forecast', 'walk-forward forecast');
  const published = await activities.publishForecast.executeWithOptions({ ...LONG_OPTIONS, summary: 'publish walk-forward forecast' }, [{}]);
  // the walk-forward metrics, without the write bookkeeping
  const metrics = published.metrics.map(({ model_run_id: _id, predictions: _p, inserted: _i, updated: _u, ...m }) => m);
  return { features: { rows: built.rows, changed: built.changed }, forecast: { modelRunIds: published.modelRunIds, metrics } };
}

/** FRED observations: the whole history, or with `lookbackDays` the recent ones. */
export async function refreshFred(input: { seriesIds?: string[]; lookbackDays?: number }, summary: string): Promise<{ changed: number; start: string | null }> {
  return activities.ingestFred.executeWithOptions({ ...LONG_OPTIONS, summary }, [input]);
}
