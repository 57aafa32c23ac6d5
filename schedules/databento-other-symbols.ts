import { DAILY_MAX_COST_USD, dailySeries } from './series-config';
import { type PipelineSchedule, seriesTags } from './pipeline-schedule';

const series = dailySeries('other-symbols');

/**
 * Replaces the Cloud Scheduler job `databento_other_symbols`: the cross-asset series of the feature matrix. Runs
 * before the ZL schedule so the ZL run's features see fresh inputs; it builds no features itself.
 */
export const databentoOtherSymbols: PipelineSchedule = {
  scheduleId: 'pipeline-databento-other-symbols',
  note: 'Daily increment of the cross-asset series (schedules/series-config.ts other-symbols) after the CME close; no features (the ZL run builds them).',
  spec: {
    calendars: [{ hour: 18, minute: 0, dayOfWeek: ['TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'], comment: 'after the CME daily close, before ZL' }],
    timezone: 'America/Chicago',
    jitter: '5m',
  },
  overlap: 'SKIP',
  catchupWindow: '6h',
  workflowIdPrefix: 'daily/other-symbols',
  workflowType: 'dailyIngest',
  args: [{ series, maxCostUsd: DAILY_MAX_COST_USD, buildFeatures: false }],
  tags: seriesTags(series),
  staticSummary: `daily ${series.map((s) => `${s.symbol} ${s.schema}`).join(', ')}`,
};
