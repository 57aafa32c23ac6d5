import {
  ApplicationFailure,
  ParentClosePolicy,
  condition,
  executeChild,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { AnalyticsActivities } from '../activities/analytics/create-analytics-activities';
import type { PipelineActivities } from '../activities/pipeline/create-activities';
import { Dataset, PipelineStage, type PipelineStageValue, Schema, Symbols, seriesSearchAttributes } from '../domain/search-attributes';
import {
  type BackfillInput,
  type BackfillParams,
  type BackfillResult,
  type ChunkQuote,
  type IngestSeriesResult,
  type SeriesKey,
  backfillInputSchema,
  seriesId,
} from '../domain/series';
import { ingestSeries } from './ingest-series';
import { type BackfillProgress, approveSpendUpdate, backfillProgressQuery, rejectSpendUpdate } from './messages';
import { parseWorkflowInput } from './parse-input';

const pipeline = proxyActivities<PipelineActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});
const analytics = proxyActivities<AnalyticsActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

/**
 * Backfills symbols × schemas over a date range: quotes every chunk first, waits for approval when the
 * quote exceeds the budget, ingests each series in a child workflow (bounded concurrency), then builds
 * features and publishes a forecast.
 */
export async function backfill(raw: BackfillInput): Promise<BackfillResult> {
  const input: BackfillParams = parseWorkflowInput(backfillInputSchema, raw, 'backfill');
  const workflowId = workflowInfo().workflowId;
  const series: SeriesKey[] = input.schemas.flatMap((schema) =>
    input.symbols.map((symbol) => ({ dataset: input.dataset, schema, symbol, stypeIn: input.stypeIn })),
  );
  const childId = (s: SeriesKey) => `${workflowId}/${s.schema}/${s.symbol}`;

  let stage: PipelineStageValue = 'quoting';
  let detail = '';
  let quotedCostUsd: number | null = null;
  let budgetUsd = input.maxCostUsd;
  // a holder, so TypeScript does not narrow the decision made inside update handlers to its initial null
  const gate: { decision: { approved: true; budgetUsd: number } | { approved: false; reason: string } | null } = { decision: null };
  const seriesState = new Map<string, BackfillProgress['series'][number]>(
    series.map((s) => [seriesId(s), { id: seriesId(s), workflowId: childId(s), status: 'pending' }]),
  );

  const setStage = (next: PipelineStageValue, details: string) => {
    stage = next;
    detail = details;
    upsertSearchAttributes([{ key: PipelineStage, value: next }]);
    setCurrentDetails(details);
  };

  setHandler(backfillProgressQuery, () => ({ stage, quotedCostUsd, budgetUsd, series: [...seriesState.values()], detail }));
  setHandler(
    approveSpendUpdate,
    ({ maxCostUsd }) => {
      budgetUsd = maxCostUsd ?? quotedCostUsd ?? budgetUsd;
      gate.decision = { approved: true, budgetUsd };
      return { approvedCostUsd: budgetUsd, quotedCostUsd: quotedCostUsd ?? 0 };
    },
    {
      validator: ({ maxCostUsd }) => {
        if (stage !== 'awaiting_approval') throw new Error(`nothing to approve: the run is ${stage}`);
        if (maxCostUsd !== undefined && (!Number.isFinite(maxCostUsd) || maxCostUsd < (quotedCostUsd ?? 0))) {
          throw new Error(`maxCostUsd ${maxCostUsd} does not cover the quoted USD ${(quotedCostUsd ?? 0).toFixed(6)}`);
        }
      },
      description: 'Approve the quoted spend (optionally raising the budget to maxCostUsd)',
    },
  );
  setHandler(
    rejectSpendUpdate,
    ({ reason }) => {
      gate.decision = { approved: false, reason: reason ?? 'rejected by operator' };
      return { rejected: true as const };
    },
    {
      validator: (_input: { reason?: string }) => {
        if (stage !== 'awaiting_approval') throw new Error(`nothing to reject: the run is ${stage}`);
      },
      description: 'Reject the quoted spend; the run fails with BudgetNotApproved',
    },
  );

  upsertSearchAttributes([
    { key: Dataset, value: input.dataset },
    { key: Schema, value: input.schemas.join(',') },
    { key: Symbols, value: input.symbols },
  ]);
  setStage('quoting', `quoting ${series.length} series`);

  // --- cost gate: price every chunk before anything is paid for
  const quotes = new Map<string, ChunkQuote[]>();
  for (const s of series) {
    const { chunks } = await pipeline.quoteSeries.executeWithOptions(
      { startToCloseTimeout: '10 minutes', heartbeatTimeout: '1 minute', retry: { maximumAttempts: 10 }, summary: `quote ${seriesId(s)}` },
      [{ series: s, start: input.start, end: input.end }],
    );
    quotes.set(seriesId(s), chunks);
  }
  const toDownload = [...quotes.values()].flat().filter((c) => !c.alreadyLoaded);
  quotedCostUsd = toDownload.reduce((sum, c) => sum + c.costUsd, 0);
  let approval: BackfillResult['approval'] = 'within-budget';
  if (quotedCostUsd > input.maxCostUsd) {
    setStage('awaiting_approval', `cost USD ${quotedCostUsd.toFixed(6)} exceeds budget USD ${input.maxCostUsd.toFixed(6)}: send approveSpend or rejectSpend`);
    const decided = await condition(() => gate.decision !== null, input.approvalTimeout);
    const d = gate.decision;
    if (!decided || d === null || !d.approved) {
      const why = d && !d.approved ? d.reason : `no decision within ${input.approvalTimeout}`;
      setStage('rejected', `spend of USD ${quotedCostUsd.toFixed(6)} not approved: ${why}`);
      throw ApplicationFailure.nonRetryable(
        `quoted cost USD ${quotedCostUsd.toFixed(6)} exceeds budget USD ${input.maxCostUsd.toFixed(6)} and was not approved (${why})`,
        'BudgetNotApproved',
      );
    }
    approval = 'approved';
  }
  // a chunk may cost at most its quote plus whatever headroom the (approved) budget leaves
  const headroom = Math.max(0, budgetUsd - quotedCostUsd);
  const approvedCostUsd = quotedCostUsd + headroom;

  // --- ingest each series in its own child workflow, a bounded number at a time
  setStage('ingesting', `ingesting ${series.length} series, ${toDownload.length} chunks to download (USD ${quotedCostUsd.toFixed(6)})`);
  const results: IngestSeriesResult[] = [];
  const queue = [...series];
  const runOne = async (): Promise<void> => {
    for (let s = queue.shift(); s; s = queue.shift()) {
      const key = seriesId(s);
      const chunks = quotes.get(key) ?? [];
      seriesState.set(key, { ...seriesState.get(key)!, status: 'running' });
      try {
        const result = await executeChild(ingestSeries, {
          workflowId: childId(s),
          args: [
            {
              series: s,
              chunks,
              approvedCostUsd: Object.fromEntries(chunks.map((c) => [c.id, c.costUsd + headroom])),
              chunksPerRun: input.chunksPerRun,
              hostAffinityTimeout: input.hostAffinityTimeout,
              quarantineReviewTimeout: input.quarantineReviewTimeout,
              parentWorkflowId: workflowId,
            },
          ],
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          typedSearchAttributes: seriesSearchAttributes(s),
          staticSummary: `ingest ${key} ${input.start}..${input.end}`,
        });
        results.push(result);
        seriesState.set(key, { ...seriesState.get(key)!, status: 'completed', rowsLoaded: result.rowsLoaded });
      } catch (err) {
        seriesState.set(key, { ...seriesState.get(key)!, status: 'failed', error: err instanceof Error ? err.message : String(err) });
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(input.maxConcurrentSeries, series.length) }, runOne));
  results.sort((a, b) => a.series.localeCompare(b.series));

  // Databento continuous symbols change contract at each roll: record the seams for roll-aware features
  for (const s of series.filter((x) => x.stypeIn === 'continuous')) {
    await pipeline.updateRollCalendar.executeWithOptions(
      { startToCloseTimeout: '10 minutes', retry: { maximumAttempts: 5 }, summary: `roll calendar ${seriesId(s)}` },
      [{ series: s }],
    );
  }

  let features: BackfillResult['features'] = null;
  let forecast: BackfillResult['forecast'] = null;
  if (input.buildFeatures) {
    setStage('building_features', 'refreshing FRED macro series');
    await analytics.ingestFred.executeWithOptions(
      { startToCloseTimeout: '30 minutes', retry: { maximumAttempts: 5 }, summary: 'ingest FRED macro series' },
      [{}],
    );
    setStage('building_features', 'building training.daily_ml_matrix');
    const built = await analytics.buildFeatures({});
    features = { rows: built.rows, changed: built.changed };
    setStage('publishing_forecast', 'walk-forward forecast');
    const published = await analytics.publishForecast({});
    forecast = {
      modelRunIds: published.modelRunIds,
      // the walk-forward metrics, without the write bookkeeping
      metrics: published.metrics.map(({ model_run_id: _id, predictions: _p, inserted: _i, updated: _u, ...metrics }) => metrics),
    };
  }

  const rows = results.reduce((s, r) => s + r.rowsLoaded, 0);
  const quarantined = results.flatMap((r) => r.quarantined.map((c) => `${r.series}/${c}`));
  setStage('done', `loaded ${rows} rows${quarantined.length ? `; quarantined: ${quarantined.join(', ')}` : ''}`);
  log.info('backfill done', { rows, quarantined: quarantined.length });
  return { workflowId, quotedCostUsd, approvedCostUsd, approval, series: results, features, forecast };
}
