import { DAILY_MAX_COST_USD, dailySeries } from './series-config';
import { type PipelineSchedule, seriesTags } from './pipeline-schedule';

const series = dailySeries('zl-price');

/** Replaces the Cloud Scheduler job `databento_zl_price`: yesterday's ZL bar, then features and a fresh forecast. */
export const databentoZlPrice: PipelineSchedule = {
  scheduleId: 'pipeline-databento-zl-price',
  note: 'Daily ZL.c.0 ohlcv-1d increment after the CME close (Databento publishes the daily bar after settlement), then features + forecast. Replaces Cloud Scheduler databento_zl_price.',
  spec: {
    // CME Globex closes 16:00 CT; 18:30 leaves time for the daily bar. Tue–Sat covers Mon–Fri sessions.
    calendars: [{ hour: 18, minute: 30, dayOfWeek: ['TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'], comment: 'after the CME daily close' }],
    timezone: 'America/Chicago',
    jitter: '5m',
  },
  overlap: 'SKIP',
  catchupWindow: '6h',
  workflowIdPrefix: 'daily/zl-price',
  workflowType: 'dailyIngest',
  args: [{ series, maxCostUsd: DAILY_MAX_COST_USD, buildFeatures: true }],
  tags: seriesTags(series),
  staticSummary: 'daily ZL.c.0 ohlcv-1d + features + forecast',
};
