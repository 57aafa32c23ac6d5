import type { ScheduleOptions, ScheduleOverlapPolicy, ScheduleSpec } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { Dataset, PipelineStage, Schema, Symbols } from '../domain/search-attributes';
import type { SeriesKey } from '../domain/series';
import type { DailyIngestInput, ValidateRecentInput } from '../domain/daily-inputs';

/** Every schedule this project owns starts with this; `schedules apply` deletes ours that are no longer in code. */
export const SCHEDULE_ID_PREFIX = 'pipeline-';

type Workflow =
  | { workflowType: 'dailyIngest'; args: [DailyIngestInput] }
  | { workflowType: 'validateRecent'; args: [ValidateRecentInput] };

/** One schedule as code: when, what, and the policies that keep two daily runs from ever overlapping. */
export type PipelineSchedule = Workflow & {
  /** `pipeline-…` */
  scheduleId: string;
  /** why the schedule exists; shown in the UI as the schedule's note and memo */
  note: string;
  spec: ScheduleSpec & { timezone: string; jitter: string };
  /** never ALLOW_ALL: a run that overlaps the previous one would ingest the same range twice at once */
  overlap: Extract<ScheduleOverlapPolicy, 'SKIP' | 'BUFFER_ONE'>;
  /** how late a missed action may still start after an outage (the SDK default is a year) */
  catchupWindow: string;
  /** runs get ids `<workflowIdPrefix>-<scheduled time>` (the server appends the time) */
  workflowIdPrefix: string;
  /** the run's search attributes from its first event */
  tags: { dataset: string; schema: string; symbols: string[] };
  staticSummary: string;
};

export function seriesTags(series: readonly SeriesKey[]): PipelineSchedule['tags'] {
  return {
    dataset: series[0]?.dataset ?? 'GLBX.MDP3',
    schema: [...new Set(series.map((s) => s.schema))].join(','),
    symbols: [...new Set(series.map((s) => s.symbol))],
  };
}

function searchAttributes(s: PipelineSchedule): SearchAttributePair[] {
  return [
    { key: PipelineStage, value: 'scheduled' },
    { key: Dataset, value: s.tags.dataset },
    { key: Schema, value: s.tags.schema },
    { key: Symbols, value: s.tags.symbols },
  ];
}

/** The part `apply` sends both on create and on update (so code always wins over drift, except the paused state). */
export function scheduleBody(s: PipelineSchedule, taskQueue: string): Pick<ScheduleOptions, 'spec' | 'action' | 'policies'> {
  return {
    spec: s.spec,
    action: {
      type: 'startWorkflow',
      workflowType: s.workflowType,
      workflowId: s.workflowIdPrefix,
      taskQueue,
      args: s.args,
      typedSearchAttributes: searchAttributes(s),
      memo: { request: s.args[0], schedule: s.scheduleId, note: s.note },
      staticSummary: s.staticSummary,
      // a whole daily run must end well before the next day's
      workflowExecutionTimeout: '20 hours',
    },
    policies: { overlap: s.overlap, catchupWindow: s.catchupWindow, pauseOnFailure: true },
  };
}

export function scheduleOptions(s: PipelineSchedule, taskQueue: string): ScheduleOptions {
  return {
    scheduleId: s.scheduleId,
    ...scheduleBody(s, taskQueue),
    memo: { note: s.note },
    state: { note: s.note },
  };
}
