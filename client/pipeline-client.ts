import { Client, Connection, type WorkflowHandle, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Env } from '../config/env';
import { Dataset, PipelineStage, Schema, Symbols } from '../domain/search-attributes';
import { type BackfillInput, type BackfillParams, backfillInputSchema, backfillWorkflowId } from '../domain/series';
import type { backfill } from '../workflows/backfill';
import {
  type ApproveSpendInput,
  type BackfillProgress,
  type SeriesProgress,
  approveSpendUpdate,
  backfillProgressQuery,
  rejectSpendUpdate,
  seriesProgressQuery,
} from '../workflows/messages';
import { issueLines } from '../domain/issue-lines';

export interface PipelineClient {
  client: Client;
  taskQueue: string;
  close(): Promise<void>;
}

export async function connectPipelineClient(env: Pick<Env, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE' | 'TEMPORAL_TASK_QUEUE'>): Promise<PipelineClient> {
  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS, connectTimeout: 5000 });
  return {
    client: new Client({ connection, namespace: env.TEMPORAL_NAMESPACE }),
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    close: () => connection.close(),
  };
}

/** Input as the user typed it, validated; throws a zod-formatted error naming the field. */
export function parseBackfillInput(input: BackfillInput): BackfillParams {
  const parsed = backfillInputSchema.safeParse(input);
  if (!parsed.success) {
    throw new Error(`invalid backfill input: ${issueLines(parsed.error).join('; ')}`);
  }
  return parsed.data;
}

/**
 * Starts the backfill, or attaches to the one already running with the same business key.
 * The API key is never part of the input: workers read it from their own environment.
 */
export async function startBackfill(pc: PipelineClient, input: BackfillInput): Promise<{ handle: WorkflowHandle<typeof backfill>; attached: boolean }> {
  const params = parseBackfillInput(input);
  const workflowId = backfillWorkflowId(params);
  // one start that fails if the run is already running, then attach: no describe round trip before every start,
  // and no race between a describe and another client's start
  try {
    const handle = await pc.client.workflow.start<typeof backfill>('backfill', {
      taskQueue: pc.taskQueue,
      workflowId,
      args: [params],
      workflowIdConflictPolicy: 'FAIL',
      typedSearchAttributes: [
        { key: PipelineStage, value: 'quoting' },
        { key: Dataset, value: params.dataset },
        { key: Schema, value: params.schemas.join(',') },
        { key: Symbols, value: params.symbols },
      ],
      memo: { request: { ...params } },
      staticSummary: `backfill ${params.symbols.join(',')} ${params.schemas.join(',')} ${params.start}..${params.end} (budget USD ${params.maxCostUsd})`,
    });
    return { handle, attached: false };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return { handle: pc.client.workflow.getHandle<typeof backfill>(workflowId), attached: true };
  }
}

export async function approveSpend(pc: PipelineClient, workflowId: string, input: ApproveSpendInput = {}) {
  return pc.client.workflow.getHandle(workflowId).executeUpdate(approveSpendUpdate, { args: [input] });
}

export async function rejectSpend(pc: PipelineClient, workflowId: string, reason?: string) {
  return pc.client.workflow.getHandle(workflowId).executeUpdate(rejectSpendUpdate, { args: [{ reason }] });
}

export interface BackfillStatus {
  workflowId: string;
  runId: string;
  status: string;
  progress: BackfillProgress | null;
  series: (SeriesProgress & { workflowId: string; status: string })[];
}

/** The run's stage and, for every series child, its per-chunk progress (from their queries). */
export async function backfillStatus(pc: PipelineClient, workflowId: string): Promise<BackfillStatus> {
  const handle = pc.client.workflow.getHandle(workflowId);
  const description = await handle.describe();
  const progress = await handle.query(backfillProgressQuery).catch(() => null);
  const series: BackfillStatus['series'] = [];
  for (const s of progress?.series ?? []) {
    if (s.status === 'pending') continue;
    const child = pc.client.workflow.getHandle(s.workflowId);
    const [desc, p] = await Promise.all([child.describe().catch(() => null), child.query(seriesProgressQuery).catch(() => null)]);
    if (p) series.push({ ...p, workflowId: s.workflowId, status: desc?.status.name ?? 'UNKNOWN' });
  }
  return { workflowId, runId: description.runId, status: description.status.name, progress, series };
}
