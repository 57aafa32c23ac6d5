import { ApplicationFailure, proxyActivities, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { PipelineActivities } from '../activities/create-activities';
import type { RecentChunkCheck } from '../activities/daily/daily-activities';
import { type ValidateRecentInput, validateRecentInputSchema } from '../domain/daily-inputs';
import { PipelineStage } from '../domain/search-attributes';
import { seriesId } from '../domain/series';
import { parseWorkflowInput } from './parse-input';
import { LONG_OPTIONS } from './pipeline-steps';
import { tagSeries } from './tag-series';

const activities = proxyActivities<PipelineActivities>(LONG_OPTIONS);

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
    const what = `the last ${input.lastChunks} chunks of ${seriesId(key)}`;
    setCurrentDetails(`re-validating ${what}`);
    out.push(await activities.revalidateRecent.executeWithOptions({ ...LONG_OPTIONS, summary: `re-validate ${what}` }, [{ series: key, lastChunks: input.lastChunks }]));
  }
  const failed = out.reduce((s, r) => s + r.failed, 0);
  const bad = out.flatMap((r) => r.checked.filter((c) => c.status !== 'ok' && c.status !== 'file-unavailable').map((c) => `${r.series}/${c.chunkId}: ${c.detail}`));
  if (failed) {
    upsertSearchAttributes([{ key: PipelineStage, value: 'failed' }]);
    setCurrentDetails(bad.join('; '));
    throw ApplicationFailure.nonRetryable(`recent chunks failed re-validation: ${bad.join('; ')}`, 'RecentDataInvalid');
  }
  upsertSearchAttributes([{ key: PipelineStage, value: 'done' }]);
  setCurrentDetails(`${out.reduce((s, r) => s + r.checked.length, 0)} chunks re-validated, all ok`);
  return { series: out, failed };
}
