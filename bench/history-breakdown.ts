import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { median } from './median';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const millis = (e: HistoryEvent): number => Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * Where a run's time went, from its event timestamps: workflow-task dispatch (scheduled → started) and processing
 * (started → completed, worker plus server), and per activity type its dispatch and execution. Covers every run
 * of each workflow id started since `since` (continue-as-new included).
 */
export async function historyBreakdown(client: Client, workflowIds: string[], since: Date): Promise<string[]> {
  const wftDispatch: number[] = [];
  const wftProcessing: number[] = [];
  const activities = new Map<string, { dispatch: number[]; execution: number[] }>();
  for (const workflowId of workflowIds) {
    for await (const run of client.workflow.list({ query: `WorkflowId = "${workflowId}" AND StartTime >= "${since.toISOString()}"` })) {
      const history = await client.workflow.getHandle(workflowId, run.runId).fetchHistory();
      const byId = new Map<string, HistoryEvent>();
      for (const e of history.events ?? []) {
        byId.set(String(e.eventId), e);
        const wftStarted = e.workflowTaskStartedEventAttributes;
        const wftCompleted = e.workflowTaskCompletedEventAttributes;
        if (wftStarted) wftDispatch.push(millis(e) - millis(byId.get(String(wftStarted.scheduledEventId))!));
        if (wftCompleted) wftProcessing.push(millis(e) - millis(byId.get(String(wftCompleted.startedEventId))!));
        const started = e.activityTaskStartedEventAttributes;
        const completed = e.activityTaskCompletedEventAttributes;
        const scheduledId = started?.scheduledEventId ?? completed?.scheduledEventId;
        if (scheduledId === undefined || scheduledId === null) continue;
        const scheduled = byId.get(String(scheduledId))!;
        const name = scheduled.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
        const entry = activities.get(name) ?? { dispatch: [], execution: [] };
        activities.set(name, entry);
        if (started) entry.dispatch.push(millis(e) - millis(scheduled));
        if (completed) entry.execution.push(millis(e) - millis(byId.get(String(completed.startedEventId))!));
      }
    }
  }
  const line = (label: string, xs: number[]) =>
    `${label.padEnd(34)} n ${String(xs.length).padStart(4)}  median ${median(xs).toFixed(1).padStart(6)} ms  total ${sum(xs).toFixed(0).padStart(6)} ms`;
  return [
    line('workflow task dispatch', wftDispatch),
    line('workflow task processing', wftProcessing),
    ...[...activities].flatMap(([name, a]) => [line(`${name} dispatch`, a.dispatch), line(`${name} execution`, a.execution)]),
  ];
}
