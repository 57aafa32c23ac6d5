import {
  type ActivityOptions,
  ActivityCancellationType,
  ActivityFailure,
  TimeoutFailure,
  continueAsNew,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { TimeoutType } from '@temporalio/common';
import type { PipelineActivities } from '../activities/create-activities';
import type { FetchedChunk } from '../activities/fetch/fetch-chunks';
import { batchChunks } from '../domain/chunk-batches';
import { PipelineStage } from '../domain/search-attributes';
import type { ChunkProgress, ChunkQuote, IngestSeriesInput, IngestSeriesResult } from '../domain/series';
import { seriesId } from '../domain/series';
import { seriesProgressQuery } from './messages';
import { QuarantineReview } from './quarantine-review';
import { SeriesProgressTracker } from './series-progress';

const NON_RETRYABLE = ['CostAboveApproval', 'InvalidCostQuote', 'BudgetNotApproved'];
/** a vanished host means fetching the batch again elsewhere, at most this many times */
const HOST_GONE_REFETCHES = 3;

// a cancelled run waits for its activities to stop, so that once it reports cancelled nothing of it still writes
const WAIT = { cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED };

const FETCH_OPTIONS: ActivityOptions = {
  ...WAIT,
  startToCloseTimeout: '30 minutes',
  // a killed worker is noticed within this and the download resumes on another attempt
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10, nonRetryableErrorTypes: NON_RETRYABLE },
};
const activities = proxyActivities<PipelineActivities>(FETCH_OPTIONS);

/** Activities that read the chunk files run on the worker that fetched them (its own task queue). */
function onHost(taskQueue: string, affinityTimeout: string, summary: string): ActivityOptions {
  return {
    ...WAIT,
    taskQueue,
    // a host that is gone never picks the task up: fall back to fetching again elsewhere
    scheduleToStartTimeout: affinityTimeout,
    startToCloseTimeout: '20 minutes',
    heartbeatTimeout: '1 minute',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 8 },
    summary,
  };
}

function hostIsGone(err: unknown): boolean {
  return err instanceof ActivityFailure && err.cause instanceof TimeoutFailure && err.cause.timeoutType === TimeoutType.SCHEDULE_TO_START;
}

const span = (batch: { id: string }[]) => (batch.length > 1 ? `${batch[0].id}..${batch.at(-1)!.id}` : batch[0].id);

/** Awaits `p`; if it fails, lets everything else in flight settle (and record its ledger rows) before rethrowing. */
async function settle(p: Promise<void>, others: (Promise<unknown> | null)[]): Promise<void> {
  try {
    await p;
  } catch (err) {
    await Promise.allSettled(others.filter((o) => o !== null));
    throw err;
  }
}

/**
 * Ingests one series: its chunks travel in consecutive batches (limits from the input), each batch fetched
 * (downloaded and validated on one host) then loaded on that host. While a batch's load waits in the worker behind
 * the previous one, the next batch is fetched. Quarantined chunks are reported and optionally reviewed; the run
 * continues as new every `chunksPerRun` chunks or when Temporal suggests it.
 */
export async function ingestSeries(input: IngestSeriesInput): Promise<IngestSeriesResult> {
  const id = seriesId(input.series);
  const progress = new SeriesProgressTracker(id, input);
  setHandler(seriesProgressQuery, () => progress.totals());
  const review = new QuarantineReview(id, progress);
  upsertSearchAttributes([{ key: PipelineStage, value: 'ingesting' }]);
  const affinity = input.hostAffinityTimeout ?? '1 minute';

  /** download → validate a batch on one host: the files stay there, the failed ones quarantined */
  const fetch = async (batch: ChunkQuote[]): Promise<FetchedChunk[]> => {
    for (const c of batch) progress.set(c.id, { state: 'downloading' });
    const chunks = batch.map((chunk) => ({ chunk, approvedCostUsd: input.approvedCostUsd[chunk.id] ?? chunk.costUsd }));
    const fetched = await activities.fetchChunks.executeWithOptions({ ...FETCH_OPTIONS, summary: `fetch ${id} ${span(batch)}` }, [{ series: input.series, chunks }]);
    fetched.forEach(({ ref, validation }, i) => {
      const state = validation.ok ? 'validated' : 'quarantined';
      // a quarantined chunk keeps its reference, so an operator's accept can load the file where it is
      const kept = validation.ok ? {} : { ref };
      progress.set(ref.chunkId, { state, bytes: ref.recordBytes, records: ref.records, costUsd: ref.costUsd ?? batch[i].costUsd, detail: validation.summary, ...kept });
      if (!validation.ok) log.warn('chunk quarantined', { series: id, chunk: ref.chunkId, summary: validation.summary });
    });
    return fetched;
  };

  /** fetch (maybe under way already) → load on the fetching host; a vanished host means fetching again elsewhere */
  const ingest = async (batch: ChunkQuote[], fetching: Promise<FetchedChunk[]> | null): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const ok = (await (attempt === 0 && fetching ? fetching : fetch(batch))).filter((f) => f.validation.ok);
        if (!ok.length) return;
        const loadChunks = ok.map((f) => ({ chunk: f.ref, validationSummary: f.validation.summary }));
        const hostQueue = ok[0].ref.hostQueue;
        const results = await activities.loadChunks.executeWithOptions(onHost(hostQueue, affinity, `load ${id} ${span(ok.map((f) => ({ id: f.ref.chunkId })))}`), [
          { series: input.series, chunks: loadChunks },
        ]);
        ok.forEach((f, i) => progress.set(f.ref.chunkId, { state: 'loaded', rows: results[i].rows }));
        return;
      } catch (err) {
        if (hostIsGone(err) && attempt < HOST_GONE_REFETCHES) {
          log.warn('host holding the chunks is gone; fetching again', { series: id, chunks: batch.map((c) => c.id) });
          continue;
        }
        progress.fail(batch, err);
        throw err;
      }
    }
  };

  const limits = { ...input.batch, maxChunks: Math.min(input.batch.maxChunks, input.chunksPerRun) };
  const remaining = await pipeline(batchChunks(input.chunks.filter((c) => !c.alreadyLoaded), limits), input.chunksPerRun, fetch, ingest);
  if (remaining.length) {
    await continueAsNew<typeof ingestSeries>({ ...input, chunks: remaining, done: progress.doneExcept(remaining) });
  }

  await review.run(input.quarantineReviewTimeout ?? '0s', {
    redownload: async (chunk: ChunkProgress) => {
      // a host that is gone took the file with it: fetching elsewhere is all a re-download needs
      await activities.discardChunk
        .executeWithOptions(onHost(chunk.ref!.hostQueue, affinity, `discard ${id} ${chunk.id}`), [{ series: input.series, chunkId: chunk.id }])
        .catch((err: unknown) => {
          if (!hostIsGone(err)) throw err;
        });
      progress.set(chunk.id, { ref: undefined });
      await ingest([{ id: chunk.id, start: chunk.start, end: chunk.end, costUsd: chunk.costUsd ?? 0, records: chunk.records ?? 0, billableBytes: 0, alreadyLoaded: false }], null);
    },
    accept: async (chunk: ChunkProgress, reason: string | undefined) => {
      const options = onHost(chunk.ref!.hostQueue, affinity, `accept ${id} ${chunk.id}`);
      const result = await activities.acceptQuarantinedChunk.executeWithOptions(options, [{ series: input.series, chunk: chunk.ref!, reason }]).catch((err: unknown) => {
        if (!hostIsGone(err)) throw err;
        progress.set(chunk.id, { detail: `the host that kept ${chunk.id} is gone, and its file with it: send redownload instead` });
        return null;
      });
      if (result) progress.set(chunk.id, { state: 'loaded', rows: result.rows, ref: undefined, detail: `accepted by operator${reason ? `: ${reason}` : ''}` });
    },
  });
  upsertSearchAttributes([{ key: PipelineStage, value: 'done' }]);
  return progress.result();
}

/**
 * Batch b's load is scheduled once its fetch ends, while batch b+1 is fetched; the worker runs one load of a series
 * at a time (in the order they reach it: each chunk's MERGE stands alone), so batch b's load may wait behind batch
 * b-1's. At most three batches in flight. A run takes batches while they fit in `chunksPerRun` and Temporal does not suggest
 * continuing as new; nothing is fetched across a continue-as-new (the next run might fetch it on another host).
 * Returns the chunks left for the next run.
 */
async function pipeline(
  batches: ChunkQuote[][],
  chunksPerRun: number,
  fetch: (batch: ChunkQuote[]) => Promise<FetchedChunk[]>,
  ingest: (batch: ChunkQuote[], fetching: Promise<FetchedChunk[]> | null) => Promise<void>,
): Promise<ChunkQuote[]> {
  let previous: Promise<void> | null = null;
  let fetching: Promise<FetchedChunk[]> | null = null;
  let taken = 0;
  for (let b = 0; b < batches.length; b++) {
    const loaded = ingest(batches[b], fetching);
    // handled now, awaited later: a failure must not count as an unhandled rejection meanwhile
    loaded.catch(() => undefined);
    taken += batches[b].length;
    const following = batches[b + 1];
    const goOn = following !== undefined && taken + following.length <= chunksPerRun && !workflowInfo().continueAsNewSuggested;
    fetching = goOn ? fetch(following) : null;
    fetching?.catch(() => undefined);
    if (previous) await settle(previous, [loaded, fetching]);
    previous = loaded;
    if (following && !goOn) {
      await settle(loaded, []);
      return batches.slice(b + 1).flat();
    }
  }
  if (previous) await settle(previous, []);
  return [];
}
