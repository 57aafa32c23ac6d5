import { DAILY_SERIES } from './series-config';
import { type PipelineSchedule, seriesTags } from './pipeline-schedule';

const series = Object.values(DAILY_SERIES).flatMap((set) => set.map((s) => ({ ...s })));

/** Weekly: the last chunks of every daily series still match their files, the rules and the warehouse. */
export const validateRecentSchedule: PipelineSchedule = {
  scheduleId: 'pipeline-validate-recent',
  note: 'Weekly re-validation of the 4 most recent loaded chunks of every daily series (file checksum, validation rules, warehouse contents). A failure pauses this schedule.',
  spec: {
    calendars: [{ hour: 9, minute: 0, dayOfWeek: 'SUNDAY', comment: 'weekly, while the market is closed' }],
    timezone: 'America/Chicago',
    jitter: '15m',
  },
  overlap: 'SKIP',
  catchupWindow: '1d',
  workflowIdPrefix: 'weekly/validate-recent',
  workflowType: 'validateRecent',
  args: [{ series, lastChunks: 4 }],
  tags: seriesTags(series),
  staticSummary: 'weekly re-validation of recent chunks',
};
