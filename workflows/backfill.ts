import { log, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { PipelineActivities } from '../activities/create-activities';
import { Dataset, Schema, Symbols } from '../domain/search-attributes';
import { type BackfillInput, type BackfillParams, type BackfillResult, type ChunkQuote, type IngestSeriesResult, type SeriesKey, backfillInputSchema, seriesId } from '../domain/series';
import { CostGate } from './cost-gate';
import { failureText } from './failure-text';
import { type BackfillProgress, backfillProgressQuery } from './messages';
import { parseWorkflowInput } from './parse-input';
import { QUOTE_OPTIONS, featuresAndForecast, ingestChild, refreshFred, seriesRunOptions, updateRollCalendar } from './pipeline-steps';
import { RunStage } from './run-stage';

const activities = proxyActivities<PipelineActivities>(QUOTE_OPTIONS);

type SeriesState = BackfillProgress['series'][number];

/** Prices every chunk of every series (chunks already loaded cost nothing). */
async function quoteAll(series: SeriesKey[], input: BackfillParams): Promise<Map<string, ChunkQuote[]>> {
  const quotes = new Map<string, ChunkQuote[]>();
  for (const s of series) {
    const { chunks } = await activities.quoteSeries.executeWithOptions({ ...QUOTE_OPTIONS, summary: `quote ${seriesId(s)}` }, [
      { series: s, start: input.start, end: input.end },
    ]);
    quotes.set(seriesId(s), chunks);
  }
  return quotes;
}

/** Each series in its own ingestSeries child, `maxConcurrentSeries` at a time; the first failure fails the run. */
async function ingestAll(series: SeriesKey[], quotes: Map<string, ChunkQuote[]>, input: BackfillParams, headroom: number, state: Map<string, SeriesState>) {
  const results: IngestSeriesResult[] = [];
  const queue = [...series];
  const note = (key: string, patch: Partial<SeriesState>) => state.set(key, { ...state.get(key)!, ...patch });
  const runOne = async (): Promise<void> => {
    for (let s = queue.shift(); s; s = queue.shift()) {
      const key = seriesId(s);
      note(key, { status: 'running' });
      try {
        const result = await ingestChild(workflowInfo().workflowId, s, quotes.get(key) ?? [], { ...seriesRunOptions(input), headroom, summary: `ingest ${key} ${input.start}..${input.end}` });
        results.push(result);
        note(key, { status: 'completed', rowsLoaded: result.rowsLoaded });
      } catch (err) {
        note(key, { status: 'failed', error: failureText(err) });
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(input.maxConcurrentSeries, series.length) }, runOne));
  return results.sort((a, b) => a.series.localeCompare(b.series));
}

/**
 * Backfills symbols × schemas over a date range: quotes every chunk first, waits for approval when the
 * quote exceeds the budget, ingests each series in a child workflow (bounded concurrency), then builds
 * features and publishes a forecast.
 */
export async function backfill(raw: BackfillInput): Promise<BackfillResult> {
  const input: BackfillParams = parseWorkflowInput(backfillInputSchema, raw, 'backfill');
  const workflowId = workflowInfo().workflowId;
  const series: SeriesKey[] = input.schemas.flatMap((schema) => input.symbols.map((symbol) => ({ dataset: input.dataset, schema, symbol, stypeIn: input.stypeIn })));
  const state = new Map<string, SeriesState>(series.map((s) => [seriesId(s), { id: seriesId(s), workflowId: `${workflowId}/${s.schema}/${s.symbol}`, status: 'pending' }]));
  const run = new RunStage('quoting');
  const gate = new CostGate({ budgetUsd: input.maxCostUsd, approvalTimeout: input.approvalTimeout, stage: () => run.stage, setStage: run.set });
  setHandler(backfillProgressQuery, () => ({ stage: run.stage, quotedCostUsd: gate.quotedUsd, budgetUsd: gate.budgetUsd, series: [...state.values()], detail: run.detail }));
  upsertSearchAttributes([
    { key: Dataset, value: input.dataset },
    { key: Schema, value: input.schemas.join(',') },
    { key: Symbols, value: input.symbols },
  ]);

  run.set('quoting', `quoting ${series.length} series`);
  const quotes = await quoteAll(series, input);
  const toDownload = [...quotes.values()].flat().filter((c) => !c.alreadyLoaded);
  const quotedCostUsd = toDownload.reduce((sum, c) => sum + c.costUsd, 0);
  const approval = await gate.check(quotedCostUsd);
  // a chunk may cost at most its quote plus whatever headroom the (approved) budget leaves
  const headroom = Math.max(0, gate.budgetUsd - quotedCostUsd);

  run.set('ingesting', `ingesting ${series.length} series, ${toDownload.length} chunks to download (USD ${quotedCostUsd.toFixed(6)})`);
  const results = await ingestAll(series, quotes, input, headroom, state);
  for (const s of series) await updateRollCalendar(s);

  let analytics: Pick<BackfillResult, 'features' | 'forecast'> = { features: null, forecast: null };
  if (input.buildFeatures) {
    run.set('building_features', 'refreshing FRED macro series');
    await refreshFred({}, 'ingest FRED macro series');
    analytics = await featuresAndForecast(run.set);
  }
  const rows = results.reduce((s, r) => s + r.rowsLoaded, 0);
  const quarantined = results.flatMap((r) => r.quarantined.map((c) => `${r.series}/${c}`));
  run.set('done', `loaded ${rows} rows${quarantined.length ? `; quarantined: ${quarantined.join(', ')}` : ''}`);
  log.info('backfill done', { rows, quarantined: quarantined.length });
  return { workflowId, quotedCostUsd, approvedCostUsd: quotedCostUsd + headroom, approval, series: results, ...analytics };
}
