/**
 * These tests drive ingestSeries' branches (host gone, batches and continue-as-new, quarantine review) with MOCKED
 * activities on a TestWorkflowEnvironment: they touch no data. The mocks return only artificial references and
 * counts (see test/support/workflow-test-env.ts); nothing is downloaded, validated or loaded. The same branches
 * against the real stack (dev server, gateway, DuckDB) are covered end to end in test/pipeline/.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FetchChunksInput, FetchedChunk } from '../../activities/fetch/fetch-chunks';
import type { AcceptChunkInput, LoadChunksInput } from '../../activities/load/load-activities';
import type { ChunkQuote, IngestSeriesInput, SeriesKey } from '../../domain/series';
import { ingestSeries } from '../../workflows/ingest-series';
import { resolveQuarantineUpdate, seriesProgressQuery } from '../../workflows/messages';
import {
  ARTIFICIAL_SERIES,
  CallLog,
  type MockActivities,
  type TestQueues,
  artificialChunks,
  artificialFetched,
  artificialLoad,
  artificialRef,
  chunkIdsOf,
  pipelineStage,
  startWorkflowTestEnv,
  testIds,
  waitFor,
  withWorkers,
} from '../support/workflow-test-env';

const seriesInput = (chunks: ChunkQuote[], extra: Partial<IngestSeriesInput> = {}): IngestSeriesInput => ({
  series: ARTIFICIAL_SERIES,
  chunks,
  approvedCostUsd: {},
  chunksPerRun: 100,
  batch: { maxChunks: 12, maxBytes: 1 << 20 },
  hostAffinityTimeout: '5s',
  quarantineReviewTimeout: '0s',
  ...extra,
});

/**
 * The mocked activities of one test: fetchChunks (shared queue) answers with the queue `hostFor` names and the
 * verdict `okFor` gives; the host queue alone serves loadChunks, discardChunk and acceptQuarantinedChunk.
 */
function mockActivities(
  log: CallLog,
  queues: TestQueues,
  opts: { hostFor?: (fetchCall: number) => string; okFor?: (chunkId: string, fetchCall: number) => boolean } = {},
): { shared: MockActivities; host: MockActivities } {
  let fetchCalls = 0;
  const fetchChunks = async (input: FetchChunksInput): Promise<FetchedChunk[]> => {
    log.record('fetchChunks', input);
    const call = ++fetchCalls;
    const hostQueue = opts.hostFor?.(call) ?? queues.host;
    return input.chunks.map(({ chunk }) => artificialFetched(chunk, hostQueue, opts.okFor?.(chunk.id, call) ?? true));
  };
  const loadChunks = async (input: LoadChunksInput) => {
    log.record('loadChunks', input);
    return input.chunks.map(({ chunk }) => artificialLoad(chunk));
  };
  const discardChunk = async (input: { series: SeriesKey; chunkId: string }) => {
    log.record('discardChunk', input);
  };
  const acceptQuarantinedChunk = async (input: AcceptChunkInput) => {
    log.record('acceptQuarantinedChunk', input);
    return artificialLoad(input.chunk);
  };
  return { shared: { fetchChunks }, host: { loadChunks, discardChunk, acceptQuarantinedChunk } };
}

describe('ingestSeries branches, with mocked activities (TestWorkflowEnvironment)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startWorkflowTestEnv();
  });
  afterAll(async () => env?.teardown());

  it('host gone: a load nobody picks up within hostAffinityTimeout fetches the batch again elsewhere and loads it there', async () => {
    const ids = testIds('host-gone');
    const gone = `${ids.shared}@gone`;
    const log = new CallLog();
    // the first fetch "stores" the files on a host that no worker polls; the second on the live host
    const acts = mockActivities(log, ids, { hostFor: (call) => (call === 1 ? gone : ids.host) });
    const chunks = artificialChunks(2);

    const { result, history } = await withWorkers(env, ids, acts, async () => {
      const handle = await env.client.workflow.start(ingestSeries, {
        taskQueue: ids.shared,
        workflowId: ids.workflowId,
        args: [seriesInput(chunks, { hostAffinityTimeout: '1s' })],
      });
      return { result: await handle.result(), history: await handle.fetchHistory() };
    });

    expect(log.of('fetchChunks').map(chunkIdsOf)).toEqual([
      ['c1', 'c2'],
      ['c1', 'c2'],
    ]);
    const loads = log.of('loadChunks');
    expect(loads.map(chunkIdsOf)).toEqual([['c1', 'c2']]);
    expect(loads[0].taskQueue).toBe(ids.host);
    // the load handed over is the refetched one (held by the live host), not the one on the vanished host
    expect((loads[0].input as LoadChunksInput).chunks.map((c) => c.chunk.hostQueue)).toEqual([ids.host, ids.host]);
    expect(result.chunks.map((c) => [c.id, c.state, c.rows])).toEqual([
      ['c1', 'loaded', 1],
      ['c2', 'loaded', 2],
    ]);
    expect(result.rowsLoaded).toBe(3);
    expect(result.quarantined).toEqual([]);

    // exactly one load timed out waiting to start (on the vanished host's queue)
    const events = history.events ?? [];
    const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'loadChunks');
    expect(scheduled.map((e) => e.activityTaskScheduledEventAttributes?.taskQueue?.name)).toEqual([gone, ids.host]);
    expect(events.filter((e) => e.activityTaskTimedOutEventAttributes)).toHaveLength(1);
  });

  it('batches within the limits, continues as new after chunksPerRun, and carries the done chunks over', async () => {
    const ids = testIds('can');
    const log = new CallLog();
    const acts = mockActivities(log, ids);
    const chunks = artificialChunks(7);

    const { result, firstRunId, firstRun } = await withWorkers(env, ids, acts, async () => {
      const handle = await env.client.workflow.start(ingestSeries, {
        taskQueue: ids.shared,
        workflowId: ids.workflowId,
        args: [seriesInput(chunks, { chunksPerRun: 4, batch: { maxChunks: 2, maxBytes: 1 << 30 } })],
      });
      const result = await handle.result(); // follows the run chain
      const first = env.client.workflow.getHandle(ids.workflowId, handle.firstExecutionRunId);
      return { result, firstRunId: handle.firstExecutionRunId, firstRun: { description: await first.describe(), history: await first.fetchHistory() } };
    });

    expect(firstRun.description.status.name).toBe('CONTINUED_AS_NEW');
    const runs = [...new Set(log.calls.map((c) => c.runId))];
    expect(runs).toHaveLength(2);
    expect(runs[0]).toBe(firstRunId);
    const fetched = (runId: string) => log.of('fetchChunks', runId).map(chunkIdsOf);
    // a batch's load is scheduled when its fetch completes: with two fetches under way, in either order
    const loaded = (runId: string) => log.of('loadChunks', runId).map(chunkIdsOf).sort((a, b) => a[0].localeCompare(b[0]));
    // first run: two batches of two (4 = chunksPerRun), then continue-as-new with the other three
    expect(fetched(runs[0])).toEqual([['c1', 'c2'], ['c3', 'c4']]);
    expect(loaded(runs[0])).toEqual([['c1', 'c2'], ['c3', 'c4']]);
    expect(fetched(runs[1])).toEqual([['c5', 'c6'], ['c7']]);
    expect(loaded(runs[1])).toEqual([['c5', 'c6'], ['c7']]);

    // the result spans both runs (the second run fetched only c5..c7: c1..c4 came over as `done`): 7 chunks, all loaded, rows = the artificial counts 1..7
    expect(result.chunks.map((c) => [c.id, c.state])).toEqual(chunks.map((c) => [c.id, 'loaded']));
    expect(result.rowsLoaded).toBe(28);

    const events = firstRun.history.events ?? [];
    // pipelining: the first workflow task schedules the fetches of batch 1 and batch 2 before any load
    const firstLoad = events.findIndex((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'loadChunks');
    const fetchesBefore = events.slice(0, firstLoad).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'fetchChunks');
    expect(fetchesBefore).toHaveLength(2);
    const firstTask = events.find((e) => e.workflowTaskCompletedEventAttributes)!;
    const scheduledByFirstTask = events.filter((e) => e.activityTaskScheduledEventAttributes?.workflowTaskCompletedEventId?.toString() === firstTask.eventId?.toString());
    expect(scheduledByFirstTask.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)).toEqual(['fetchChunks', 'fetchChunks']);
  });

  describe('quarantine review', () => {
    /** c1..c3 in one batch; c2 fails validation on its first fetch (and passes on a re-download) */
    const startQuarantined = async (name: string, quarantineReviewTimeout: string) => {
      const ids = testIds(name);
      const log = new CallLog();
      const acts = mockActivities(log, ids, { okFor: (chunkId, call) => !(chunkId === 'c2' && call === 1) });
      const chunks = artificialChunks(3);
      const begin = () =>
        env.client.workflow.start(ingestSeries, { taskQueue: ids.shared, workflowId: ids.workflowId, args: [seriesInput(chunks, { quarantineReviewTimeout })] });
      return { ids, log, acts, chunks, begin };
    };

    it('waits at awaiting_review; a redownload discards the file on its host, fetches it again and loads it; bad decisions are refused', async () => {
      const { ids, log, acts, begin } = await startQuarantined('quarantine-redownload', '30s');
      const result = await withWorkers(env, ids, acts, async () => {
        const handle = await begin();
        await waitFor('awaiting_review', async () => ((await pipelineStage(handle)) === 'awaiting_review' ? true : undefined));
        const progress = await handle.query(seriesProgressQuery);
        expect(progress.chunks.map((c) => [c.id, c.state])).toEqual([
          ['c1', 'loaded'],
          ['c2', 'quarantined'],
          ['c3', 'loaded'],
        ]);
        // the quarantined chunk keeps its reference, for an accept
        expect(progress.chunks[1].ref?.hostQueue).toBe(ids.host);

        // untyped, to send what a typo or an empty Web UI form sends
        const update = (...args: [] | [unknown]) =>
          args.length ? handle.executeUpdate('resolveQuarantine', { args: [args[0]] }) : handle.executeUpdate('resolveQuarantine');
        await expect(update({ chunkId: 'c1', action: 'redownload' })).rejects.toThrow(WorkflowUpdateFailedError);
        await expect(update({ chunkId: 'c1', action: 'redownload' })).rejects.toMatchObject({ cause: { message: 'chunk c1 is not quarantined' } });
        await expect(update({ chunkId: 'c9', action: 'accept' })).rejects.toMatchObject({ cause: { message: 'chunk c9 is not quarantined' } });
        const whatToGive = { cause: { message: expect.stringContaining('give { "chunkId": "<chunk>", "action": "redownload" | "accept" }') } };
        await expect(update()).rejects.toMatchObject(whatToGive);
        await expect(update({})).rejects.toMatchObject(whatToGive);
        await expect(update({ chunkId: 'c2', action: 'delete' })).rejects.toMatchObject(whatToGive);
        // nothing refused reached the workflow: it still waits, c2 untouched
        expect(log.of('discardChunk')).toHaveLength(0);
        expect(await pipelineStage(handle)).toBe('awaiting_review');

        expect(await handle.executeUpdate(resolveQuarantineUpdate, { args: [{ chunkId: 'c2', action: 'redownload' }] })).toEqual({ chunkId: 'c2', action: 'redownload' });
        const result = await handle.result();
        // the review is over: no longer findable as awaiting review
        expect(await pipelineStage(handle)).not.toBe('awaiting_review');
        return result;
      });

      const discards = log.of('discardChunk');
      expect(discards).toHaveLength(1);
      expect(discards[0].taskQueue).toBe(ids.host);
      expect(discards[0].input).toEqual({ series: ARTIFICIAL_SERIES, chunkId: 'c2' });
      expect(log.of('fetchChunks').map(chunkIdsOf)).toEqual([['c1', 'c2', 'c3'], ['c2']]);
      expect(log.of('loadChunks').map(chunkIdsOf)).toEqual([['c1', 'c3'], ['c2']]);
      // the discard happens before the re-download
      expect(log.calls.map((c) => c.activity).slice(-3)).toEqual(['discardChunk', 'fetchChunks', 'loadChunks']);
      expect(log.of('acceptQuarantinedChunk')).toHaveLength(0);
      expect(result.chunks.map((c) => [c.id, c.state])).toEqual([
        ['c1', 'loaded'],
        ['c2', 'loaded'],
        ['c3', 'loaded'],
      ]);
      expect(result.quarantined).toEqual([]);
      expect(result.rowsLoaded).toBe(6);
    });

    it('accept loads the stored file as is, on its host, with the operator reason', async () => {
      const { ids, log, acts, chunks, begin } = await startQuarantined('quarantine-accept', '30s');
      const result = await withWorkers(env, ids, acts, async () => {
        const handle = await begin();
        await waitFor('awaiting_review', async () => ((await pipelineStage(handle)) === 'awaiting_review' ? true : undefined));
        await handle.executeUpdate(resolveQuarantineUpdate, { args: [{ chunkId: 'c2', action: 'accept', reason: 'checked by hand' }] });
        return handle.result();
      });

      const accepts = log.of('acceptQuarantinedChunk');
      expect(accepts).toHaveLength(1);
      expect(accepts[0].taskQueue).toBe(ids.host);
      expect(accepts[0].input).toEqual({ series: ARTIFICIAL_SERIES, chunk: artificialRef(chunks[1], ids.host), reason: 'checked by hand' });
      expect(log.of('fetchChunks')).toHaveLength(1);
      expect(log.of('discardChunk')).toHaveLength(0);
      expect(result.chunks.map((c) => [c.id, c.state])).toEqual([
        ['c1', 'loaded'],
        ['c2', 'loaded'],
        ['c3', 'loaded'],
      ]);
      expect(result.chunks[1]).toMatchObject({ rows: 2, detail: 'accepted by operator: checked by hand' });
      expect(result.quarantined).toEqual([]);
    });

    it('without a decision within quarantineReviewTimeout the run ends reporting the chunk quarantined', async () => {
      const { ids, log, acts, begin } = await startQuarantined('quarantine-timeout', '1s');
      const { result, history } = await withWorkers(env, ids, acts, async () => {
        const handle = await begin();
        return { result: await handle.result(), history: await handle.fetchHistory() };
      });
      // it did wait: one review timer of quarantineReviewTimeout, fired
      const events = history.events ?? [];
      const timers = events.filter((e) => e.timerStartedEventAttributes).map((e) => e.timerStartedEventAttributes?.startToFireTimeout?.seconds?.toString());
      expect(timers).toEqual(['1']);
      expect(events.filter((e) => e.timerFiredEventAttributes)).toHaveLength(1);
      expect(result.quarantined).toEqual(['c2']);
      expect(result.chunks.map((c) => [c.id, c.state])).toEqual([
        ['c1', 'loaded'],
        ['c2', 'quarantined'],
        ['c3', 'loaded'],
      ]);
      expect(log.of('discardChunk')).toHaveLength(0);
      expect(log.of('acceptQuarantinedChunk')).toHaveLength(0);
    });
  });
});
