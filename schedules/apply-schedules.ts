import { type Client, ScheduleAlreadyRunning, ScheduleNotFoundError } from '@temporalio/client';
import type { Logger } from 'pino';
import { dailyIngestInputSchema, validateRecentInputSchema } from '../domain/daily-inputs';
import { PIPELINE_SCHEDULES } from './';
import { type PipelineSchedule, SCHEDULE_ID_PREFIX, scheduleBody, scheduleOptions } from './pipeline-schedule';
import { issueLines } from '../domain/issue-lines';

export interface ApplySchedulesOptions {
  taskQueue: string;
  /** defaults to every schedule in code (schedules/index.ts) */
  schedules?: readonly PipelineSchedule[];
  /** delete server schedules with our prefix that are not in `schedules` (default true) */
  prune?: boolean;
  logger?: Logger;
}

export interface ApplySchedulesResult {
  created: string[];
  updated: string[];
  deleted: string[];
}

/** Thrown before anything is sent when a schedule in code is malformed. */
export class ScheduleConfigError extends Error {
  override readonly name = 'ScheduleConfigError';
  readonly code = 'SCHEDULE_CONFIG_INVALID';
  constructor(
    message: string,
    readonly scheduleId: string,
  ) {
    super(message);
  }
}

function check(schedules: readonly PipelineSchedule[]): void {
  const seen = new Set<string>();
  for (const s of schedules) {
    if (!s.scheduleId.startsWith(SCHEDULE_ID_PREFIX)) throw new ScheduleConfigError(`schedule id ${s.scheduleId} must start with ${SCHEDULE_ID_PREFIX}`, s.scheduleId);
    if (seen.has(s.scheduleId)) throw new ScheduleConfigError(`schedule id ${s.scheduleId} appears twice`, s.scheduleId);
    seen.add(s.scheduleId);
    const parsed =
      s.workflowType === 'dailyIngest' ? dailyIngestInputSchema.safeParse(s.args[0]) : validateRecentInputSchema.safeParse(s.args[0]);
    if (!parsed.success) {
      throw new ScheduleConfigError(`schedule ${s.scheduleId}: ${issueLines(parsed.error).join('; ')}`, s.scheduleId);
    }
  }
}

/** Ids of the server's schedules that carry our prefix (listing is eventually consistent). */
export async function listPipelineScheduleIds(client: Client): Promise<string[]> {
  const ids: string[] = [];
  for await (const s of client.schedule.list()) if (s.scheduleId.startsWith(SCHEDULE_ID_PREFIX)) ids.push(s.scheduleId);
  return ids.sort();
}

/**
 * Makes the server's schedules match the code, idempotently: create; if it exists, replace spec, action and
 * policies but keep its state (an operator's pause survives a deploy); delete our schedules no longer in code.
 */
export async function applySchedules(client: Client, options: ApplySchedulesOptions): Promise<ApplySchedulesResult> {
  const schedules = options.schedules ?? PIPELINE_SCHEDULES;
  check(schedules);
  const result: ApplySchedulesResult = { created: [], updated: [], deleted: [] };
  for (const s of schedules) {
    try {
      await client.schedule.create(scheduleOptions(s, options.taskQueue));
      result.created.push(s.scheduleId);
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      const body = scheduleBody(s, options.taskQueue);
      // pure: the SDK may call it more than once
      await client.schedule.getHandle(s.scheduleId).update((prev) => ({ ...prev, ...body }));
      result.updated.push(s.scheduleId);
    }
  }
  if (options.prune ?? true) {
    const wanted = new Set(schedules.map((s) => s.scheduleId));
    for (const id of await listPipelineScheduleIds(client)) {
      if (wanted.has(id)) continue;
      try {
        await client.schedule.getHandle(id).delete();
        result.deleted.push(id);
      } catch (err) {
        // the list can still show a schedule deleted a moment ago
        if (!(err instanceof ScheduleNotFoundError)) throw err;
      }
    }
  }
  options.logger?.info(result, 'schedules applied');
  return result;
}
