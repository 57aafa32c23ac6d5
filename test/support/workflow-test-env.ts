/**
 * Fast workflow tests: the production workflow bundle on a TestWorkflowEnvironment (the local Temporal CLI dev
 * server at .tools/bin/temporal, never a downloaded binary) with MOCKED activities. These helpers touch no market
 * data: every value they make up is an obviously artificial reference or count (costs of a tenth of a cent, a few
 * records, sha256 of zeros, files under /nonexistent), never a price or a bar.
 */
import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { PipelineActivities } from '../../activities/create-activities';
import type { FetchedChunk } from '../../activities/fetch/fetch-chunks';
import type { ChunkQuote, SeriesKey, StoredChunkRef } from '../../domain/series';
import { PipelineStage, SEARCH_ATTRIBUTES } from '../../domain/search-attributes';
import { temporalCliPath } from '../../local/temporal-dev-server';
import { productionBundle } from '../../workers/create-workers';

/** Mocked activities, typed against the real ones: a renamed or reshaped activity breaks these tests at compile time. */
export type MockActivities = Partial<PipelineActivities>;

let runtimeInstalled = false;

/**
 * A dev server from the existing CLI binary, our search attributes registered (the workflows upsert them and fail
 * without), with the same task-queue poll rates the project's dev server uses (a round trip through another task
 * queue otherwise waits ~40 ms for the shard's next read).
 */
export async function startWorkflowTestEnv(): Promise<TestWorkflowEnvironment> {
  if (!runtimeInstalled) {
    runtimeInstalled = true;
    try {
      // the workflows' expected warnings (host gone, chunk quarantined) would otherwise fill the test output
      Runtime.install({ logger: new DefaultLogger(process.env.TEST_LOG_LEVEL === 'debug' ? 'DEBUG' : 'ERROR') });
    } catch {
      // a runtime already exists in this process: keep it
    }
  }
  const dynamicConfig = [
    'frontend.enableUpdateWorkflowExecution=true',
    'history.transferProcessorMaxPollRPS=1000',
    'history.timerProcessorMaxPollRPS=1000',
    'history.visibilityProcessorMaxPollRPS=1000',
  ];
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      ip: '127.0.0.1',
      searchAttributes: [...SEARCH_ATTRIBUTES],
      log: { format: 'pretty', level: 'error' },
      extraArgs: dynamicConfig.flatMap((kv) => ['--dynamic-config-value', kv]),
    },
  });
}

/** One mocked activity call as the worker saw it. */
export interface RecordedCall {
  activity: keyof PipelineActivities;
  input: unknown;
  taskQueue: string;
  workflowId: string;
  runId: string;
  /** the activity's id: its sequence number among the run's scheduled activities */
  activityId: string;
}

/** Records every mocked activity call (in start order) with its task queue and workflow run. */
export class CallLog {
  readonly calls: RecordedCall[] = [];

  record(activity: keyof PipelineActivities, input: unknown): void {
    const { taskQueue, workflowExecution, activityId } = Context.current().info;
    this.calls.push({ activity, input, taskQueue, workflowId: workflowExecution?.workflowId ?? '', runId: workflowExecution?.runId ?? '', activityId });
  }

  /** the calls of one activity (of one run, if given), in the order the workflow scheduled them */
  of(activity: keyof PipelineActivities, runId?: string): RecordedCall[] {
    return this.calls
      .filter((c) => c.activity === activity && (runId === undefined || c.runId === runId))
      .sort((a, b) => (a.runId === b.runId ? Number(a.activityId) - Number(b.activityId) : 0));
  }
}

export interface TestQueues {
  /** the shared queue: workflows and the activities that run anywhere */
  shared: string;
  /** the one "host" that holds the (pretend) chunk files */
  host: string;
}

/** Fresh task queues and a workflow id for one test. */
export function testIds(name: string): TestQueues & { workflowId: string } {
  const tag = `${name}-${randomUUID().slice(0, 8)}`;
  return { shared: `wft-${tag}`, host: `wft-${tag}@host`, workflowId: `wft/${tag}` };
}

/**
 * Runs `fn` while a worker on `queues.shared` (the production workflow bundle + `shared` activities) and one on
 * `queues.host` (`host` activities only) poll; both are shut down afterwards.
 */
export async function withWorkers<T>(
  env: TestWorkflowEnvironment,
  queues: TestQueues,
  activities: { shared: MockActivities; host: MockActivities },
  fn: () => Promise<T>,
): Promise<T> {
  const workflowBundle = await productionBundle();
  const [shared, host] = await Promise.all([
    Worker.create({ connection: env.nativeConnection, namespace: env.namespace, taskQueue: queues.shared, workflowBundle, activities: activities.shared }),
    Worker.create({ connection: env.nativeConnection, namespace: env.namespace, taskQueue: queues.host, activities: activities.host }),
  ]);
  return shared.runUntil(() => host.runUntil(fn));
}

/** Polls `probe` until it returns something other than undefined. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The run's PipelineStage search attribute, as the server reports it. */
export async function pipelineStage(handle: WorkflowHandle): Promise<string | undefined> {
  return (await handle.describe()).typedSearchAttributes.get(PipelineStage);
}

// ---- artificial references and counts (NOT market data) ----

/** An obviously made-up series: no such symbol exists. */
export const ARTIFICIAL_SERIES: SeriesKey = { dataset: 'GLBX.MDP3', schema: 'ohlcv-1d', symbol: 'ARTIFICIAL.TEST', stypeIn: 'raw_symbol' };

/** The price of an artificial chunk quote: a tenth of a cent, nothing Databento would charge. */
export const ARTIFICIAL_QUOTE_USD = 0.001;

/** Artificial chunks c1..cN: consecutive half-year ranges (only the range; no bars) with tiny made-up counts. */
export function artificialChunks(n: number): ChunkQuote[] {
  return Array.from({ length: n }, (_, i) => {
    const year = 2001 + Math.floor(i / 2);
    const half = i % 2;
    return {
      id: `c${i + 1}`,
      start: `${year}-${half ? '07' : '01'}-01T00:00:00Z`,
      end: half ? `${year + 1}-01-01T00:00:00Z` : `${year}-07-01T00:00:00Z`,
      costUsd: ARTIFICIAL_QUOTE_USD,
      records: i + 1,
      billableBytes: 10,
      alreadyLoaded: false,
    };
  });
}

/** A reference to a chunk file that does not exist, "held" by `hostQueue`. */
export function artificialRef(chunk: ChunkQuote, hostQueue: string): StoredChunkRef {
  return {
    chunkId: chunk.id,
    start: chunk.start,
    end: chunk.end,
    file: `/nonexistent/${chunk.id}.dbn.zst`,
    sha256: '0'.repeat(64),
    records: chunk.records,
    recordBytes: chunk.records * 10,
    bytesRequested: 10,
    costUsd: chunk.costUsd,
    hostQueue,
    reused: false,
  };
}

/** What a mocked fetchChunks returns for one chunk: the artificial reference and a verdict. */
export function artificialFetched(chunk: ChunkQuote, hostQueue: string, ok = true): FetchedChunk {
  return {
    ref: artificialRef(chunk, hostQueue),
    validation: ok
      ? { ok: true, summary: 'artificial: ok', errors: 0, warnings: 0, reportFile: `/nonexistent/${chunk.id}.validation.json` }
      : { ok: false, summary: 'artificial: failed validation', errors: 1, warnings: 0, reportFile: `/nonexistent/${chunk.id}.validation.json` },
  };
}

/** What a mocked load returns per chunk: a small made-up row count (its records) and no real table. */
export const artificialLoad = (ref: StoredChunkRef) => ({ rows: ref.records, inserted: ref.records, updated: 0, unchanged: 0, table: 'artificial.none' });

/** the ids of the chunks in a fetchChunks or loadChunks input */
export const chunkIdsOf = (call: RecordedCall): string[] => {
  const input = call.input as { chunks: ({ chunk: { id?: string; chunkId?: string } })[] };
  return input.chunks.map((c) => c.chunk.id ?? c.chunk.chunkId ?? '?');
};
