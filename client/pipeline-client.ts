import { Client, Connection, type WorkflowHandle, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Env } from '../config/env';
import { Dataset, PipelineStage, Schema, Symbols } from '../domain/search-attributes';
import { type BackfillInput, type BackfillParams, backfillInputSchema, backfillWorkflowId, usdAmountTextSchema } from '../domain/series';
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
import { type ErrorLink, describeError, errorChain } from '../logging/errors';

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

/** A USD amount given on the command line (`--max-cost`), strictly: `Number()` would read `0x10` as 16 and `""` as 0. */
export function parseUsdOption(flag: string, text: string): number {
  const parsed = usdAmountTextSchema.safeParse(text);
  if (!parsed.success) {
    throw new Error(`${flag}: ${issueLines(parsed.error, 'value').map((l) => l.replace(/^value: /, '')).join('; ')}, got ${JSON.stringify(text)}`);
  }
  return parsed.data;
}

/** Symbols shown in a start's summary before the rest are counted instead. */
const SUMMARY_SYMBOL_CHARS = 100;

/**
 * The start's one-line summary, with a long symbol list cut to its first symbols and a count (the memo has them
 * all): the UI shows it on one line, and servers that enforce `limit.userMetadataSummarySize` (400 bytes of
 * serialized payload by default) refuse a longer one. The 1.32 dev server the tests use does not enforce it.
 */
export function backfillSummary(params: BackfillParams): string {
  const shown: string[] = [];
  let chars = 0;
  for (const symbol of params.symbols) {
    if (chars + symbol.length + 1 > SUMMARY_SYMBOL_CHARS) break;
    shown.push(symbol);
    chars += symbol.length + 1;
  }
  const more = params.symbols.length - shown.length;
  const symbols = `${shown.join(',')}${more > 0 ? ` +${more} more` : ''}`;
  return `backfill ${symbols} ${params.schemas.join(',')} ${params.start}..${params.end} (budget USD ${params.maxCostUsd})`;
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
      // the whole request, symbols included: a long list's workflow id and summary only count them
      memo: { request: { ...params } },
      staticSummary: backfillSummary(params),
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
  /** the run's last progress; for a run that ended without completing, its stage reads `failed` */
  progress: BackfillProgress | null;
  series: (SeriesProgress & { workflowId: string; status: string })[];
  /** why the run ended without completing (failed, terminated, timed out, cancelled); null while running or once completed */
  failure: RunFailure | null;
}

/** Why a run ended without completing, from its close event. */
export interface RunFailure {
  /** FAILED, TERMINATED, TIMED_OUT or CANCELLED */
  status: string;
  /** the cause chain in one line: `Workflow execution failed: budget not approved: … [BudgetNotApproved]` */
  message: string;
  /** outermost first: WorkflowFailedError, then e.g. ChildWorkflowFailure, ActivityFailure, ApplicationFailure */
  chain: ErrorLink[];
  /** the stage and detail the run had reached when it ended */
  lastStage: string | null;
  lastDetail: string | null;
}

/** Run states after which the run will not complete; CONTINUED_AS_NEW goes on in a new run. */
const ENDED_WITHOUT_COMPLETING = new Set(['FAILED', 'TERMINATED', 'TIMED_OUT', 'CANCELLED']);
/** A closed run is queried by replaying it on a worker: without one, the query would wait for the server's timeout. */
const CLOSED_RUN_QUERY_MS = 5000;

/** The failure a closed run ended with: its result, read from that run's close event (never a later run's). */
async function runFailure(pc: PipelineClient, workflowId: string, runId: string, status: string, progress: BackfillProgress | null): Promise<RunFailure> {
  const handle = pc.client.workflow.getHandle(workflowId, runId, { followRuns: false });
  const err: unknown = await handle.result().then(
    () => new Error(`run ${runId} is ${status} but returned a result`),
    (e: unknown) => e,
  );
  return { status, message: describeError(err), chain: errorChain(err), lastStage: progress?.stage ?? null, lastDetail: progress?.detail ?? null };
}

/**
 * The run's stage and, for every series child, its per-chunk progress (from their queries); for a run that ended
 * without completing, also why (its failure and cause chain), and its stage reads `failed` instead of the stage it
 * was in when it ended (kept as failure.lastStage).
 */
export async function backfillStatus(pc: PipelineClient, workflowId: string): Promise<BackfillStatus> {
  const handle = pc.client.workflow.getHandle(workflowId);
  const description = await handle.describe();
  const status = description.status.name;
  const closed = status === 'COMPLETED' || status === 'CONTINUED_AS_NEW' || ENDED_WITHOUT_COMPLETING.has(status);
  const bounded = <T>(fn: () => Promise<T>) => (closed ? pc.client.connection.withDeadline(Date.now() + CLOSED_RUN_QUERY_MS, fn) : fn());
  let progress = await bounded(() => handle.query(backfillProgressQuery)).catch(() => null);
  const series: BackfillStatus['series'] = [];
  for (const s of progress?.series ?? []) {
    if (s.status === 'pending') continue;
    const child = pc.client.workflow.getHandle(s.workflowId);
    const [desc, p] = await Promise.all([child.describe().catch(() => null), bounded(() => child.query(seriesProgressQuery)).catch(() => null)]);
    if (p) series.push({ ...p, workflowId: s.workflowId, status: desc?.status.name ?? 'UNKNOWN' });
  }
  const failure = ENDED_WITHOUT_COMPLETING.has(status) ? await runFailure(pc, workflowId, description.runId, status, progress) : null;
  if (failure && progress) progress = { ...progress, stage: 'failed', detail: failure.message };
  return { workflowId, runId: description.runId, status, progress, series, failure };
}
