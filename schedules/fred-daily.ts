import { DEFAULT_FRED_SERIES } from '../fred/ingest-fred';
import type { PipelineSchedule } from './pipeline-schedule';

/** FRED publishes most daily series the next US morning; refresh the recent window, then features + forecast. */
export const fredDaily: PipelineSchedule = {
  scheduleId: 'pipeline-fred-daily',
  note: 'Daily refresh of the FRED macro series (last 30 days, revisions included), then features + forecast. Needs FRED_API_KEY on the workers.',
  spec: {
    calendars: [{ hour: 14, minute: 0, dayOfWeek: ['TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'], comment: 'after FRED morning updates' }],
    timezone: 'UTC',
    jitter: '10m',
  },
  overlap: 'SKIP',
  catchupWindow: '12h',
  workflowIdPrefix: 'daily/fred',
  workflowType: 'dailyIngest',
  args: [{ series: [], fred: { seriesIds: [...DEFAULT_FRED_SERIES], lookbackDays: 30 }, maxCostUsd: 0, buildFeatures: true }],
  tags: { dataset: 'FRED', schema: 'observations', symbols: [...DEFAULT_FRED_SERIES] },
  staticSummary: 'daily FRED refresh + features + forecast',
};
