import {
  type ActivityOptions,
  ActivityCancellationType,
  ActivityFailure,
  TimeoutFailure,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { TimeoutType } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import type { PipelineActivities } from '../activities/pipeline/create-activities';
import { PipelineStage } from '../domain/search-attributes';
import type { ChunkProgress, ChunkQuote, IngestSeriesInput, IngestSeriesResult, StoredChunkRef as ChunkRef } from '../domain/series';
import { seriesId } from '../domain/series';
import { DEFAULT_CHUNK_BATCH, FIRST_CHUNK_BATCH, batchChunks } from '../domain/chunk-batches';
import { type ResolveQuarantineInput, resolveQuarantineUpdate, seriesProgressQuery } from './messages';

const NON_RETRYABLE = ['CostAboveApproval', 'InvalidCostQuote', 'BudgetNotApproved'];

/**
 * Patch id: the next chunk downloads and validates while the current one loads. Histories recorded before it
 * (test/histories, and runs in flight when a worker is upgraded) replay on the sequential path.
 */
export const PIPELINED_CHUNKS_PATCH = 'pipelined-chunks';

/**
 * Patch id (on the pipelined path): a chunk is validated by a local activity on the worker running this workflow
 * when its file is there (always, with one worker process), saving a task round trip through the server per chunk;
 * otherwise on the worker that downloaded it, as before.
 */
export const LOCAL_VALIDATION_PATCH = 'local-validation';

/**
 * Patch id (on the pipelined path): a chunk's load is scheduled as soon as the chunk is validated, while the
 * previous chunk still loads; the worker runs one load of a series at a time, so the next one starts the moment the
 * current one ends, without a task round trip through the server in between.
 */
export const OVERLAPPED_LOADS_PATCH = 'overlapped-loads';

/**
 * Patch id (on the overlapped-loads path): up to PREPARE_AHEAD chunks download and validate ahead of the one being
 * queued, not one: a chunk's download, validation and two workflow tasks now take longer than a load, so with one
 * ahead the loads waited for them.
 */
export const PREPARE_AHEAD_PATCH = 'prepare-ahead';
/** chunks downloaded and validated ahead of the chunk whose load is queued (one before PREPARE_AHEAD_PATCH) */
export const PREPARE_AHEAD = 4;

/**
 * Patch id (on the prepare-ahead path): consecutive small chunks travel in batches (batchChunks): one download, one
 * validation and one load activity per batch, each chunk still with its own file, request, validation, MERGE and
 * ledger rows. A ZL daily chunk loads in ~50 ms, and carrying it alone cost about as much CPU in workflow tasks and
 * activity round trips, beside the loads.
 */
export const BATCHED_CHUNKS_PATCH = 'batched-chunks';
/** batches downloaded and validated ahead of the batch whose load is queued */
export const PREPARE_AHEAD_BATCHES = 1;

/**
 * Patch id, newest; it implies every patch above: batches of up to 12 small chunks (DEFAULT_CHUNK_BATCH) instead of 8
 * (FIRST_CHUNK_BATCH), and a run records this one patch marker instead of all six (each marker also upserts the
 * TemporalChangeVersion search attribute, which the server indexes). The ZL backfill's child runs 3 batches, not 5.
 */
export const BATCHES_OF_12_PATCH = 'batches-of-12';

const DOWNLOAD_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 minutes',
  // a killed worker is noticed within this and the download resumes on another attempt
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10, nonRetryableErrorTypes: NON_RETRYABLE },
};
const download = proxyActivities<PipelineActivities>(DOWNLOAD_OPTIONS);
const local = proxyLocalActivities<PipelineActivities>({
  startToCloseTimeout: '20 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 8 },
  // like the other activities of a pipelined run: a cancelled run waits for it (it may write a quarantine row)
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/** A chunk downloaded and validated, ready to load (or quarantined: `ok` false). */
interface Prepared {
  ref: ChunkRef;
  ok: boolean;
  summary: string;
  /** options for the activities that read the file: its host's queue */
  host: ActivityOptions;
}

/** A chunk whose download and validation are under way ahead of its turn. */
interface Prefetch {
  id: string;
  prepared: Promise<Prepared>;
}

/** Activities that read the chunk file run on the worker that downloaded it (its own task queue). */
function hostOptions(taskQueue: string, affinityTimeout: string): ActivityOptions {
  return {
    taskQueue,
    // a host that is gone never picks the task up: fall back to downloading again elsewhere
    scheduleToStartTimeout: affinityTimeout,
    startToCloseTimeout: '20 minutes',
    heartbeatTimeout: '1 minute',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 8 },
  };
}

function hostIsGone(err: unknown): boolean {
  return (
    err instanceof ActivityFailure &&
    err.cause instanceof TimeoutFailure &&
    err.cause.timeoutType === TimeoutType.SCHEDULE_TO_START
  );
}

/**
 * Ingests one series chunk by chunk: download → validate → load → ledger. Quarantined chunks are skipped
 * (and reported); the run continues as new every `chunksPerRun` chunks or when Temporal suggests it.
 */
export async function ingestSeries(input: IngestSeriesInput): Promise<IngestSeriesResult> {
  const id = seriesId(input.series);
  const progress = new Map<string, ChunkProgress>();
  for (const c of input.done ?? []) progress.set(c.id, c);
  for (const c of input.chunks) {
    progress.set(c.id, { id: c.id, start: c.start, end: c.end, state: c.alreadyLoaded ? 'skipped' : 'pending', costUsd: c.costUsd, records: c.records });
  }
  const totals = () => {
    const chunks = [...progress.values()].sort((a, b) => a.start.localeCompare(b.start));
    return {
      series: id,
      chunks,
      rowsLoaded: chunks.reduce((s, c) => s + (c.state === 'loaded' ? (c.rows ?? 0) : 0), 0),
      bytesDownloaded: chunks.reduce((s, c) => s + (c.bytes ?? 0), 0),
      costUsd: chunks.reduce((s, c) => s + (c.state === 'loaded' || c.state === 'quarantined' || c.state === 'validated' || c.state === 'downloaded' ? (c.costUsd ?? 0) : 0), 0),
    };
  };
  setHandler(seriesProgressQuery, totals);
  upsertSearchAttributes([{ key: PipelineStage, value: 'ingesting' }]);

  const update = (chunkId: string, patch: Partial<ChunkProgress>) => {
    const prev = progress.get(chunkId)!;
    progress.set(chunkId, { ...prev, ...patch });
    const t = totals();
    const done = t.chunks.filter((c) => c.state === 'loaded' || c.state === 'skipped' || c.state === 'quarantined').length;
    setCurrentDetails(`${id}: ${done}/${t.chunks.length} chunks done, ${t.rowsLoaded} rows loaded, USD ${t.costUsd.toFixed(4)} spent; now ${chunkId} ${patch.state ?? ''}`);
  };

  const decisions: ResolveQuarantineInput[] = [];
  let reviewing = false;
  setHandler(
    resolveQuarantineUpdate,
    (decision) => {
      decisions.push(decision);
      return { chunkId: decision.chunkId, action: decision.action };
    },
    {
      validator: (decision) => {
        if (!reviewing) throw new Error(`${id} is not waiting for quarantine review`);
        if (progress.get(decision.chunkId)?.state !== 'quarantined') throw new Error(`chunk ${decision.chunkId} is not quarantined`);
        if (decisions.some((d) => d.chunkId === decision.chunkId)) throw new Error(`chunk ${decision.chunkId} already has a decision`);
      },
      description: 'Re-download or accept a quarantined chunk',
    },
  );

  // newest first: a run that began on this version takes every path below and records one marker; runs that began
  // before it find no such marker when they replay, and take the paths their own markers say
  const batchesOf12 = patched(BATCHES_OF_12_PATCH);
  const pipelined = batchesOf12 || patched(PIPELINED_CHUNKS_PATCH);
  const validateLocally = batchesOf12 || (pipelined && patched(LOCAL_VALIDATION_PATCH));
  const overlapLoads = batchesOf12 || (validateLocally && patched(OVERLAPPED_LOADS_PATCH));
  const prepareAhead = batchesOf12 || (overlapLoads && patched(PREPARE_AHEAD_PATCH)) ? PREPARE_AHEAD : 1;
  const batched = batchesOf12 || (prepareAhead > 1 && patched(BATCHED_CHUNKS_PATCH));
  const batchLimits = batchesOf12 ? DEFAULT_CHUNK_BATCH : FIRST_CHUNK_BATCH;
  // with two chunks in flight, a cancelled run waits for its activities to stop, so that once it reports cancelled
  // nothing of it is still writing (TRY_CANCEL left a load finishing after the run had ended)
  const cancellation: Pick<ActivityOptions, 'cancellationType'> = pipelined
    ? { cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED }
    : {};

  /** download → validate: the chunk's file on its host, checked (quarantined if it fails) */
  const prepare = async (chunk: ChunkQuote): Promise<Prepared> => {
    const approved = input.approvedCostUsd[chunk.id] ?? chunk.costUsd;
    update(chunk.id, { state: 'downloading' });
    const ref = await download.downloadChunk.executeWithOptions({ ...DOWNLOAD_OPTIONS, ...cancellation, summary: `download ${id} ${chunk.id}` }, [
      { series: input.series, chunk, approvedCostUsd: approved },
    ]);
    update(chunk.id, { state: 'downloaded', bytes: ref.recordBytes, records: ref.records, costUsd: ref.costUsd ?? chunk.costUsd });
    const host = { ...hostOptions(ref.hostQueue, input.hostAffinityTimeout ?? '1 minute'), ...cancellation };
    const args = { series: input.series, chunk: ref };
    const here = validateLocally ? await local.validateChunkHere.executeWithOptions({ summary: `validate ${id} ${chunk.id} here` }, [args]) : null;
    const validation = here ?? (await download.validateChunk.executeWithOptions({ ...host, summary: `validate ${id} ${chunk.id}` }, [args]));
    if (validation.ok) {
      update(chunk.id, { state: 'validated', detail: validation.summary });
    } else {
      update(chunk.id, { state: 'quarantined', detail: validation.summary, ref });
      log.warn('chunk quarantined', { series: id, chunk: chunk.id, summary: validation.summary });
    }
    return { ref, ok: validation.ok, summary: validation.summary, host };
  };

  /** the chunks not loaded yet, in order, each with the chunks after it */
  function* chunksToLoad(): Generator<{ chunk: ChunkQuote; remaining: ChunkQuote[] }> {
    for (let i = 0; i < input.chunks.length; i++) {
      if (!input.chunks[i].alreadyLoaded) yield { chunk: input.chunks[i], remaining: input.chunks.slice(i + 1) };
    }
  }

  /** a chunk's download and validation, started now and awaited later (as the chunk ahead of the current one) */
  const startPrepare = (chunk: ChunkQuote): Prefetch => {
    const prepared = prepare(chunk);
    // handled now, awaited later: a failure must not count as an unhandled rejection meanwhile
    prepared.catch(() => undefined);
    return { id: chunk.id, prepared };
  };

  /**
   * download → validate → load one chunk (the first two may be under way already: `prepared`); a vanished host
   * means downloading again elsewhere
   */
  const processChunk = async (chunk: ChunkQuote, prepared?: Promise<Prepared>): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const p = await (attempt === 0 && prepared ? prepared : prepare(chunk));
        if (!p.ok) return;
        const result = await download.loadChunk.executeWithOptions({ ...p.host, summary: `load ${id} ${chunk.id}` }, [
          { series: input.series, chunk: p.ref, validationSummary: p.summary },
        ]);
        update(chunk.id, { state: 'loaded', rows: result.rows });
        return;
      } catch (err) {
        if (hostIsGone(err) && attempt < 3) {
          log.warn('host holding the chunk is gone; downloading again', { series: id, chunk: chunk.id });
          continue;
        }
        update(chunk.id, { state: 'failed', detail: err instanceof Error ? err.message : String(err) });
        throw err;
      }
    }
  };

  /** download → validate a batch of chunks: one activity for the downloads, one for the validations */
  const prepareBatch = async (batch: ChunkQuote[]): Promise<Prepared[]> => {
    const ids = batch.length > 1 ? `${batch[0].id}..${batch.at(-1)!.id}` : batch[0].id;
    for (const c of batch) update(c.id, { state: 'downloading' });
    const refs = await download.downloadChunks.executeWithOptions({ ...DOWNLOAD_OPTIONS, ...cancellation, summary: `download ${id} ${ids}` }, [
      { series: input.series, chunks: batch.map((chunk) => ({ chunk, approvedCostUsd: input.approvedCostUsd[chunk.id] ?? chunk.costUsd })) },
    ]);
    refs.forEach((ref, i) => update(ref.chunkId, { state: 'downloaded', bytes: ref.recordBytes, records: ref.records, costUsd: ref.costUsd ?? batch[i].costUsd }));
    // one activity downloaded them all: they share a host
    const host = { ...hostOptions(refs[0].hostQueue, input.hostAffinityTimeout ?? '1 minute'), ...cancellation };
    const args = { series: input.series, chunks: refs };
    const validations =
      (await local.validateChunksHere.executeWithOptions({ summary: `validate ${id} ${ids} here` }, [args])) ??
      (await download.validateChunks.executeWithOptions({ ...host, summary: `validate ${id} ${ids}` }, [args]));
    return refs.map((ref, i) => {
      const { ok, summary } = validations[i];
      if (ok) {
        update(ref.chunkId, { state: 'validated', detail: summary });
      } else {
        update(ref.chunkId, { state: 'quarantined', detail: summary, ref });
        log.warn('chunk quarantined', { series: id, chunk: ref.chunkId, summary });
      }
      return { ref, ok, summary, host };
    });
  };

  /** download → validate → load a batch (the first two may be under way already); a vanished host means downloading again */
  const processBatch = async (batch: ChunkQuote[], prepared?: Promise<Prepared[]>): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const ok = (await (attempt === 0 && prepared ? prepared : prepareBatch(batch))).filter((p) => p.ok);
        if (!ok.length) return;
        const ids = ok.length > 1 ? `${ok[0].ref.chunkId}..${ok.at(-1)!.ref.chunkId}` : ok[0].ref.chunkId;
        const results = await download.loadChunks.executeWithOptions({ ...ok[0].host, summary: `load ${id} ${ids}` }, [
          { series: input.series, chunks: ok.map((p) => ({ chunk: p.ref, validationSummary: p.summary })) },
        ]);
        ok.forEach((p, i) => update(p.ref.chunkId, { state: 'loaded', rows: results[i].rows }));
        return;
      } catch (err) {
        if (hostIsGone(err) && attempt < 3) {
          log.warn('host holding the chunks is gone; downloading again', { series: id, chunks: batch.map((c) => c.id) });
          continue;
        }
        const detail = err instanceof Error ? err.message : String(err);
        for (const c of batch) if (progress.get(c.id)?.state !== 'quarantined') update(c.id, { state: 'failed', detail });
        throw err;
      }
    }
  };

  if (batched) await processBatched();
  else if (overlapLoads) await processOverlapped();
  else await processInTurn();

  /** one chunk at a time; pipelined: the next chunk downloads and validates while the current one loads */
  async function processInTurn(): Promise<void> {
    let processed = 0;
    const continueNow = () => processed >= input.chunksPerRun || workflowInfo().continueAsNewSuggested;
    /** the next chunk's download and validation, under way while the current chunk loads */
    let prefetch: Prefetch | null = null;
    for (const { chunk, remaining } of chunksToLoad()) {
      const prepared = prefetch?.id === chunk.id ? prefetch.prepared : undefined;
      prefetch = null;
      const next = remaining.find((c) => !c.alreadyLoaded);
      // no prefetch across a continue-as-new: the next run might download it again on another host
      if (pipelined && next && processed + 1 < input.chunksPerRun && !workflowInfo().continueAsNewSuggested) prefetch = startPrepare(next);
      try {
        await processChunk(chunk, prepared);
      } catch (err) {
        // let a running prefetch settle (and record its ledger row) before failing the run
        if (prefetch) await prefetch.prepared.catch(() => undefined);
        throw err;
      }
      processed++;

      // a chunk whose download is under way is finished first
      if (!prefetch && remaining.some((c) => !c.alreadyLoaded) && continueNow()) {
        const done = [...progress.values()].filter((c) => !remaining.some((r) => r.id === c.id));
        await continueAsNew<typeof ingestSeries>({ ...input, chunks: remaining, done });
      }
    }
  }

  /**
   * Each chunk's load is scheduled once it is validated, beside the previous chunk's load (the worker holds it until
   * that one ends), and the chunks after it are already downloading: the previous chunk loading, the current one
   * queued or being prepared, and `prepareAhead` more being prepared; none across a continue-as-new. With one ahead,
   * the next chunk's download and validation, plus two workflow tasks, took longer than a load (~50 ms for a ZL
   * daily chunk), so loads still waited for them.
   */
  async function processOverlapped(): Promise<void> {
    let processed = 0;
    /** downloads and validations under way for the chunks after the current one, in order */
    const ahead: Prefetch[] = [];
    /** the previous chunk, loading (or about to) */
    let previous: Promise<void> | null = null;
    const finish = async (chunk: Promise<void>, others: (Promise<unknown> | null | undefined)[]) => {
      try {
        await chunk;
      } catch (err) {
        // let everything in flight settle (and record its ledger rows) before failing the run
        await Promise.allSettled(others.filter(Boolean));
        throw err;
      }
      processed++;
    };
    for (const { chunk, remaining } of chunksToLoad()) {
      const prepared = ahead[0]?.id === chunk.id ? ahead.shift()!.prepared : undefined;
      const current = processChunk(chunk, prepared);
      // handled now, awaited later: a failure must not count as an unhandled rejection meanwhile
      current.catch(() => undefined);
      const upcoming = remaining.filter((c) => !c.alreadyLoaded);
      // no prefetch across a continue-as-new: the next run might download it again on another host
      while (
        ahead.length < prepareAhead &&
        upcoming[ahead.length] &&
        processed + 3 + ahead.length <= input.chunksPerRun &&
        !workflowInfo().continueAsNewSuggested
      ) {
        ahead.push(startPrepare(upcoming[ahead.length]));
      }
      if (previous) await finish(previous, [current, ...ahead.map((p) => p.prepared)]);
      previous = current;
      if (!ahead.length && upcoming.length && (processed + 1 >= input.chunksPerRun || workflowInfo().continueAsNewSuggested)) {
        await finish(current, []);
        const done = [...progress.values()].filter((c) => !remaining.some((r) => r.id === c.id));
        await continueAsNew<typeof ingestSeries>({ ...input, chunks: remaining, done });
      }
    }
    if (previous) await finish(previous, ahead.map((p) => p.prepared));
  }

  /**
   * processOverlapped over batches of small chunks (batchChunks): a batch's load is scheduled once it is validated,
   * beside the previous batch's load, while the next PREPARE_AHEAD_BATCHES batches download and validate; none across
   * a continue-as-new, and a run takes at most `chunksPerRun` chunks.
   */
  async function processBatched(): Promise<void> {
    const toLoad = input.chunks.filter((c) => !c.alreadyLoaded);
    const batches = batchChunks(toLoad, { ...batchLimits, maxChunks: Math.min(batchLimits.maxChunks, input.chunksPerRun) });
    let processed = 0;
    const ahead: { batch: ChunkQuote[]; prepared: Promise<Prepared[]> }[] = [];
    let previous: { batch: ChunkQuote[]; loaded: Promise<void> } | null = null;
    const inFlight = () => (previous?.batch.length ?? 0) + ahead.reduce((n, a) => n + a.batch.length, 0);
    const finish = async (loaded: Promise<void>, size: number, others: Promise<unknown>[]) => {
      try {
        await loaded;
      } catch (err) {
        // let everything in flight settle (and record its ledger rows) before failing the run
        await Promise.allSettled(others);
        throw err;
      }
      processed += size;
    };
    for (let b = 0; b < batches.length; b++) {
      const batch = batches[b];
      const prepared = ahead[0]?.batch === batch ? ahead.shift()!.prepared : undefined;
      const loaded = processBatch(batch, prepared);
      // handled now, awaited later: a failure must not count as an unhandled rejection meanwhile
      loaded.catch(() => undefined);
      // no prefetch across a continue-as-new: the next run might download it again on another host
      for (let next = batches[b + 1 + ahead.length]; ahead.length < PREPARE_AHEAD_BATCHES && next; next = batches[b + 1 + ahead.length]) {
        if (processed + inFlight() + batch.length + next.length > input.chunksPerRun || workflowInfo().continueAsNewSuggested) break;
        const p = prepareBatch(next);
        p.catch(() => undefined);
        ahead.push({ batch: next, prepared: p });
      }
      if (previous) await finish(previous.loaded, previous.batch.length, [loaded, ...ahead.map((a) => a.prepared)]);
      previous = { batch, loaded };
      const upcoming = batches.slice(b + 1);
      if (!ahead.length && upcoming.length && (processed + batch.length >= input.chunksPerRun || workflowInfo().continueAsNewSuggested)) {
        await finish(loaded, batch.length, []);
        const remaining = upcoming.flat();
        const done = [...progress.values()].filter((c) => !remaining.some((r) => r.id === c.id));
        await continueAsNew<typeof ingestSeries>({ ...input, chunks: remaining, done });
      }
    }
    if (previous) await finish(previous.loaded, previous.batch.length, ahead.map((a) => a.prepared));
  }

  // optional operator review of quarantined chunks: re-download or accept, each recorded in the ledger
  const reviewTimeout = input.quarantineReviewTimeout ?? '0s';
  const stillQuarantined = () => [...progress.values()].filter((c) => c.state === 'quarantined');
  if (stillQuarantined().length && msToNumber(reviewTimeout) > 0) {
    reviewing = true;
    upsertSearchAttributes([{ key: PipelineStage, value: 'awaiting_review' }]);
    while (stillQuarantined().length) {
      setCurrentDetails(`${id}: ${stillQuarantined().map((c) => c.id).join(', ')} quarantined: send resolveQuarantine (redownload or accept)`);
      if (!(await condition(() => decisions.length > 0, reviewTimeout))) break;
      const decision = decisions.shift()!;
      const chunk = progress.get(decision.chunkId)!;
      if (decision.action === 'redownload') {
        await download.discardChunk.executeWithOptions({ ...hostOptions(chunk.ref!.hostQueue, input.hostAffinityTimeout ?? '1 minute'), summary: `discard ${id} ${chunk.id}` }, [
          { series: input.series, chunkId: chunk.id },
        ]);
        await processChunk({ ...chunk, costUsd: chunk.costUsd ?? 0, records: chunk.records ?? 0, billableBytes: 0, alreadyLoaded: false });
      } else {
        const result = await download.acceptQuarantinedChunk.executeWithOptions(
          { ...hostOptions(chunk.ref!.hostQueue, input.hostAffinityTimeout ?? '1 minute'), summary: `accept ${id} ${chunk.id}` },
          [{ series: input.series, chunk: chunk.ref!, reason: decision.reason }],
        );
        update(chunk.id, { state: 'loaded', rows: result.rows, detail: `accepted by operator${decision.reason ? `: ${decision.reason}` : ''}` });
      }
    }
    reviewing = false;
    upsertSearchAttributes([{ key: PipelineStage, value: 'ingesting' }]);
  }

  const result = totals();
  const quarantined = result.chunks.filter((c) => c.state === 'quarantined').map((c) => c.id);
  return { ...result, quarantined };
}

