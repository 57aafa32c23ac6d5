import type { Connection } from '@temporalio/client';
import type { Command } from 'commander';
import { type PipelineClient, connectPipelineClient } from '../../client/pipeline-client';
import { parseEnv } from '../../config/env';
import { ensureSearchAttributes } from '../../local/temporal-dev-server';
import { applySchedules, listPipelineScheduleIds } from '../../schedules/apply-schedules';
import { SCHEDULE_ID_PREFIX } from '../../schedules/pipeline-schedule';

/** Thrown for an id outside our namespace of schedules, so the CLI never touches someone else's. */
export class NotPipelineScheduleError extends Error {
  override readonly name = 'NotPipelineScheduleError';
  readonly code = 'SCHEDULE_NOT_OURS';
  constructor(readonly scheduleId: string) {
    super(`schedule id ${scheduleId} does not start with ${SCHEDULE_ID_PREFIX}: not one of this pipeline's schedules`);
  }
}

async function withClient<T>(fn: (pc: PipelineClient) => Promise<T>): Promise<T> {
  const pc = await connectPipelineClient(parseEnv());
  try {
    return await fn(pc);
  } finally {
    await pc.close();
  }
}

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

function ours(id: string): string {
  if (!id.startsWith(SCHEDULE_ID_PREFIX)) throw new NotPipelineScheduleError(id);
  return id;
}

export function register(program: Command): void {
  const schedules = program.command('schedules').description(`Temporal Schedules of this pipeline (ids ${SCHEDULE_ID_PREFIX}*)`);

  schedules
    .command('apply')
    .description('Create or update every schedule in schedules/ (keeps paused state), delete ours no longer in code')
    .option('--no-prune', 'keep server schedules that are no longer in code')
    .action(async (opts: { prune: boolean }) => {
      await withClient(async (pc) => {
        // a schedule whose action carries unregistered search attributes is refused: register ours first
        await ensureSearchAttributes(pc.client.connection as Connection, pc.client.options.namespace);
        print(await applySchedules(pc.client, { taskQueue: pc.taskQueue, prune: opts.prune }));
      });
    });

  schedules
    .command('list')
    .description('Our schedules: paused state, note, next and recent runs (JSON)')
    .action(async () => {
      await withClient(async (pc) => {
        const out = [];
        for (const id of await listPipelineScheduleIds(pc.client)) {
          const d = await pc.client.schedule.getHandle(id).describe();
          out.push({
            scheduleId: id,
            workflowType: d.action.workflowType,
            paused: d.state.paused,
            note: d.state.note ?? null,
            timezone: d.spec.timezone ?? 'UTC',
            overlap: d.policies.overlap,
            nextActionTimes: d.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString()),
            recentActions: d.info.recentActions.slice(-3).map((a) => ({ scheduledAt: a.scheduledAt.toISOString(), workflowId: a.action.workflow.workflowId })),
            running: d.info.runningActions.map((a) => a.workflow.workflowId),
          });
        }
        print(out);
      });
    });

  schedules
    .command('pause <scheduleId>')
    .description('Pause a schedule (survives `schedules apply`)')
    .option('--note <text>', 'why', 'paused from the CLI')
    .action(async (id: string, opts: { note: string }) => {
      await withClient(async (pc) => {
        await pc.client.schedule.getHandle(ours(id)).pause(opts.note);
        print({ scheduleId: id, paused: true });
      });
    });

  schedules
    .command('unpause <scheduleId>')
    .description('Resume a paused schedule')
    .option('--note <text>', 'why', 'unpaused from the CLI')
    .action(async (id: string, opts: { note: string }) => {
      await withClient(async (pc) => {
        await pc.client.schedule.getHandle(ours(id)).unpause(opts.note);
        print({ scheduleId: id, paused: false });
      });
    });

  schedules
    .command('trigger <scheduleId>')
    .description('Run a schedule now; with --overlap skip (default) nothing starts while a run is in progress')
    .option('--overlap <policy>', 'skip | buffer-one', 'skip')
    .action(async (id: string, opts: { overlap: string }) => {
      const overlap = { skip: 'SKIP', 'buffer-one': 'BUFFER_ONE' }[opts.overlap] as 'SKIP' | 'BUFFER_ONE' | undefined;
      if (!overlap) throw new Error(`--overlap must be skip or buffer-one, not ${opts.overlap}`);
      await withClient(async (pc) => {
        // never the SDK's ALLOW_ALL default: two daily runs at once would ingest the same range twice
        await pc.client.schedule.getHandle(ours(id)).trigger(overlap);
        print({ scheduleId: id, triggered: true, overlap });
      });
    });

  schedules
    .command('delete <scheduleId>')
    .description('Delete a schedule (running workflows continue); `apply` recreates it if it is in code')
    .action(async (id: string) => {
      await withClient(async (pc) => {
        await pc.client.schedule.getHandle(ours(id)).delete();
        print({ scheduleId: id, deleted: true });
      });
    });
}
