import { ApplicationFailure, log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { PipelineActivities } from '../activities/create-activities';
import type { DailyPlan } from '../activities/daily/daily-activities';
import { type DailyIngestInput, type DailyIngestParams, dailyIngestInputSchema } from '../domain/daily-inputs';
import type { SeriesKey } from '../domain/series';
import { seriesId } from '../domain/series';
import { CostGate } from './cost-gate';
import { failureText } from './failure-text';
import { type DailySeriesResult, dailyProgressQuery } from './messages';
import { parseWorkflowInput } from './parse-input';
import { type AnalyticsOutcome, QUOTE_OPTIONS, featuresAndForecast, ingestChild, refreshFred, seriesRunOptions, updateRollCalendar } from './pipeline-steps';
import { RunStage } from './run-stage';
import { tagSeries } from './tag-series';

export type { DailyIngestInput } from '../domain/daily-inputs';
export { validateRecent, type ValidateRecentResult } from './validate-recent';

const activities = proxyActivities<PipelineActivities>(QUOTE_OPTIONS);

export interface DailyIngestResult {
  workflowId: string;
  series: DailySeriesResult[];
  rowsLoaded: number;
  costUsd: number;
  fred: { changed: number; start: string } | null;
  features: AnalyticsOutcome['features'] | null;
  forecast: AnalyticsOutcome['forecast'] | null;
}

type Planned = { key: SeriesKey; plan: DailyPlan };

/** Plans and prices every series' increment before anything is paid for. */
async function planAll(series: SeriesKey[], results: Map<string, DailySeriesResult>): Promise<Planned[]> {
  const plans: Planned[] = [];
  for (const key of series) {
    const plan = await activities.planDailySeries.executeWithOptions({ ...QUOTE_OPTIONS, summary: `plan ${seriesId(key)} since last load` }, [{ series: key }]);
    plans.push({ key, plan });
    const status = plan.status === 'new-data' ? 'up-to-date' : plan.status;
    const chunks = plan.chunks.map((c) => c.id);
    results.set(plan.series, { series: plan.series, status, from: plan.from, to: plan.to, rowsLoaded: 0, costUsd: 0, chunks, quarantined: [], detail: plan.detail });
  }
  return plans;
}

/** The new ranges, one series at a time (daily increments are small); a failed series is reported, the rest go on. */
async function ingestIncrements(toIngest: Planned[], input: DailyIngestParams, headroom: number, results: Map<string, DailySeriesResult>, run: RunStage) {
  const failures: string[] = [];
  for (const { key, plan } of toIngest) {
    const id = plan.series;
    run.set('ingesting', `${id}: ingesting ${plan.records} new records [${plan.from}, ${plan.to})`);
    try {
      const summary = `daily ingest ${id} ${plan.from}..${plan.to}`;
      const r = await ingestChild(workflowInfo().workflowId, key, plan.chunks, { ...seriesRunOptions(input), headroom, summary });
      if (r.rowsLoaded > 0) await updateRollCalendar(key);
      const quarantined = r.quarantined.length ? `; quarantined ${r.quarantined.join(', ')}` : '';
      const detail = `${id}: loaded ${r.rowsLoaded} rows in [${plan.from}, ${plan.to})${quarantined}`;
      results.set(id, { ...results.get(id)!, status: 'loaded', rowsLoaded: r.rowsLoaded, costUsd: r.costUsd, quarantined: r.quarantined, detail });
    } catch (err) {
      const message = failureText(err);
      failures.push(`${id}: ${message}`);
      results.set(id, { ...results.get(id)!, status: 'failed', detail: `${id}: ${message}` });
      log.warn('daily series failed', { series: id, error: message });
    }
  }
  return failures;
}

/**
 * The scheduled incremental run. Per series: plan `[last loaded end, last complete UTC day)` and price it; nothing
 * new → reported `up-to-date`. New bars → the same `ingestSeries` child as a backfill (fetch → load → ledger). Then
 * optionally FRED, features and a forecast.
 *
 * Cost gate: a scheduled run never waits for a person (it would hold the schedule's single slot for days, and
 * the overlap policy would skip every following day). Over `maxCostUsd` it fails with BudgetNotApproved before
 * any download; the schedule pauses (pauseOnFailure) and an operator runs an approved `backfill` for the gap.
 */
export async function dailyIngest(raw: DailyIngestInput): Promise<DailyIngestResult> {
  const input = parseWorkflowInput(dailyIngestInputSchema, raw, 'dailyIngest');
  const results = new Map<string, DailySeriesResult>();
  const run = new RunStage('quoting');
  setHandler(dailyProgressQuery, () => ({ stage: run.stage, detail: run.detail, series: [...results.values()] }));
  tagSeries(input.series, { dataset: 'FRED', schema: 'observations', symbols: input.fred?.seriesIds ?? ['FRED'] });
  run.set('quoting', `planning ${input.series.length} series`);

  const toIngest = (await planAll(input.series, results)).filter((p) => p.plan.status === 'new-data');
  const quotedCostUsd = toIngest.reduce((s, p) => s + p.plan.costUsd, 0);
  await new CostGate({ budgetUsd: input.maxCostUsd, approvalTimeout: null, stage: () => run.stage, setStage: run.set }).check(quotedCostUsd);
  const failures = await ingestIncrements(toIngest, input, input.maxCostUsd - quotedCostUsd, results, run);

  let fred: DailyIngestResult['fred'] = null;
  if (input.fred) {
    run.set('ingesting', `refreshing FRED (last ${input.fred.lookbackDays} days)`);
    const r = await refreshFred({ seriesIds: input.fred.seriesIds, lookbackDays: input.fred.lookbackDays }, `refresh FRED last ${input.fred.lookbackDays} days`);
    fred = { changed: r.changed, start: r.start ?? '' };
  }
  const all = [...results.values()];
  const rowsLoaded = all.reduce((s, r) => s + r.rowsLoaded, 0);
  const costUsd = all.reduce((s, r) => s + r.costUsd, 0);
  const changed = rowsLoaded > 0 || (fred?.changed ?? 0) > 0;
  const analytics = input.buildFeatures && !failures.length && changed ? await featuresAndForecast(run.set) : { features: null, forecast: null };
  if (failures.length) {
    run.set('failed', failures.join('; '));
    throw ApplicationFailure.nonRetryable(`daily ingest failed for ${failures.length} series: ${failures.join('; ')}`, 'DailyIngestFailed');
  }
  const summary = all.map((r) => (r.status === 'loaded' ? `${r.series} +${r.rowsLoaded} rows` : `${r.series} ${r.status}`));
  if (fred) summary.push(`FRED ${fred.changed} changed`);
  run.set('done', summary.join('; ') || 'nothing to do');
  return { workflowId: workflowInfo().workflowId, series: all, rowsLoaded, costUsd, fred, ...analytics };
}
