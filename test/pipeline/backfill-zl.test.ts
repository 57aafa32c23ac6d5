import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackfill } from '../../client/pipeline-client';
import { createWarehouseFromEnv } from '../../warehouse/warehouse';
import { type PipelineHarness, startPipelineHarness } from '../support/pipeline-harness';
import { nqHourlyBackfill } from '../support/nq-backfill';
import { ZL_FULL } from '../support/zl-backfill';

async function zlRows(h: PipelineHarness): Promise<number> {
  const w = await createWarehouseFromEnv(h.env);
  try {
    const [r] = await w.query<{ n: string }>(
      "select count(*) as n from market_data.databento_futures_ohlcv_1d where symbol = 'ZL.c.0'",
    );
    return Number(r.n);
  } finally {
    await w.close();
  }
}

const ZL_PARENT_ID = 'backfill/GLBX.MDP3/ohlcv-1d/ZL.c.0/2010-06-06/2026-08-12';

/** 8 half-year chunks of ~500 KB each: batchChunks' 1 MiB cap makes them 4 or more batches */
const NQ_2020_2023 = nqHourlyBackfill('2020-01-01', '2024-01-01');

/** How an ingestSeries run's downloads and loads overlapped, from its history's activity events. */
async function pipelineShape(h: PipelineHarness, childId: string) {
  const open = new Map<string, string>();
  /** loads whose open interval met another batch's open download or validation */
  const overlapped = new Set<string>();
  let maxLoads = 0;
  /** loads scheduled while the previous load was still running: no task round trip between the two */
  let queuedLoads = 0;
  /** downloads scheduled before the first load was */
  let downloadsBeforeFirstLoad = -1;
  let maxDownloads = 0;
  let downloads = 0;
  const history = await h.client.client.workflow.getHandle(childId).fetchHistory();
  const openOf = (...names: string[]) => [...open].filter(([, n]) => names.includes(n)).map(([id]) => id);
  const markOverlaps = () => {
    if (openOf('fetchChunks').length) for (const id of openOf('loadChunks')) overlapped.add(id);
  };
  for (const e of history.events ?? []) {
    const scheduled = e.activityTaskScheduledEventAttributes;
    const closed = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes;
    if (scheduled?.activityType?.name === 'fetchChunks') downloads++;
    if (scheduled?.activityType?.name === 'loadChunks' && openOf('loadChunks').length) queuedLoads++;
    if (scheduled?.activityType?.name === 'loadChunks' && downloadsBeforeFirstLoad < 0) downloadsBeforeFirstLoad = downloads;
    if (scheduled) open.set(String(e.eventId), scheduled.activityType?.name ?? '');
    markOverlaps();
    if (closed) open.delete(String(closed.scheduledEventId));
    maxLoads = Math.max(maxLoads, openOf('loadChunks').length);
    maxDownloads = Math.max(maxDownloads, openOf('fetchChunks').length);
  }
  return { downloads, downloadsBeforeFirstLoad, maxDownloads, overlapped: overlapped.size, queuedLoads, maxLoads };
}

/**
 * ingestSeries' batch pipeline: its first task starts the first batch, the next one and one ahead
 * (fetched while the first loads) and no more until the first load ends; each load is queued behind the current one, never
 * more than the current load and the next one waiting its turn (the worker runs them one at a time).
 */
function expectBatchPipeline(shape: Awaited<ReturnType<typeof pipelineShape>>): void {
  expect(shape.downloadsBeforeFirstLoad).toBe(3);
  expect(shape.maxDownloads).toBeLessThanOrEqual(3);
  expect(shape.queuedLoads).toBeGreaterThanOrEqual(1);
  expect(shape.maxLoads).toBeLessThanOrEqual(2);
}

describe('backfill of ZL.c.0 ohlcv-1d 2010-06-06..2026-08-12 through Temporal and the gateway', () => {
  let h: PipelineHarness;
  beforeAll(async () => {
    h = await startPipelineHarness();
    await h.startWorkers();
  });
  afterAll(async () => h?.stop());

  it('loads exactly the 4,062 recorded bars, one loaded ledger row per half-year chunk', async () => {
    const { handle, attached } = await startBackfill(h.client, ZL_FULL);
    expect(attached).toBe(false);
    const result = await handle.result();
    expect(result.approval).toBe('within-budget');
    expect(result.series).toHaveLength(1);
    expect(result.series[0].rowsLoaded).toBe(4062);
    expect(await zlRows(h)).toBe(4062);

    const w = await createWarehouseFromEnv(h.env);
    try {
      const ledger = await w.ledger({ series: 'GLBX.MDP3/ohlcv-1d/ZL.c.0' });
      const loaded = ledger.filter((r) => r.status === 'loaded');
      expect(loaded).toHaveLength(34);
      expect(loaded.map((r) => r.chunk_id).sort()[0]).toBe('2010H1.20100606-20100701');
      expect(loaded.map((r) => r.chunk_id).sort().at(-1)).toBe('2026H2.20260701-20260812');
      expect(loaded.reduce((s, r) => s + (r.rows ?? 0), 0)).toBe(4062);
      expect(loaded.every((r) => /^[0-9a-f]{64}$/.test(r.sha256 ?? ''))).toBe(true);
      // 130 instrument_id segments in the recording → 129 rolls, none spanning a gap in the data
      const rolls = await w.query<{ n: string; ids: string }>(
        "select count(*) as n, count(distinct to_instrument_id) as ids from market_data.roll_calendar where series = 'GLBX.MDP3/ohlcv-1d/ZL.c.0'",
      );
      expect(Number(rolls[0].n)).toBe(129);
      const mapped = await w.query<{ n: string }>(
        "select count(distinct output_symbol) as n from market_data.symbology where input_symbol = 'ZL.c.0'",
      );
      expect(Number(mapped[0].n)).toBe(130);
    } finally {
      await w.close();
    }
    expect(h.gateway.stats.getRange.requests).toBe(34);
  });

  it('hands most downloads to the worker with the workflow task that scheduled them (eager dispatch)', async () => {
    const metrics = await (await fetch(h.server.metricsUrl)).text();
    const eager = metrics
      .split('\n')
      .filter((l) => l.startsWith('activity_eager_execution{'))
      .reduce((s, l) => s + Number(l.split(' ').at(-1)), 0);
    // 34 chunks downloaded in 3 batches (batchChunks: up to 12 small chunks per activity); one finds no free activity
    // slot now and then and goes through the task queue instead. The parent's quote and roll calendar may go eagerly too.
    const scheduled = [];
    for (const id of [ZL_PARENT_ID, `${ZL_PARENT_ID}/ohlcv-1d/ZL.c.0`]) {
      const history = await h.client.client.workflow.getHandle(id).fetchHistory();
      for (const e of history.events ?? []) if (e.activityTaskScheduledEventAttributes) scheduled.push(e.activityTaskScheduledEventAttributes);
    }
    const downloads = scheduled.filter((a) => a.activityType?.name === 'fetchChunks').length;
    const onSharedQueue = scheduled.filter((a) => a.taskQueue?.name === h.env.TEMPORAL_TASK_QUEUE).length;
    expect(downloads).toBe(3);
    expect(eager).toBeGreaterThanOrEqual(3);
    expect(eager).toBeLessThanOrEqual(onSharedQueue);
  });

  it('keeps every history far below the 10,240-event warning', async () => {
    for (const id of [ZL_PARENT_ID, `${ZL_PARENT_ID}/ohlcv-1d/ZL.c.0`]) {
      const history = await h.client.client.workflow.getHandle(id).fetchHistory();
      expect(history.events?.length ?? 0).toBeGreaterThan(5);
      expect(history.events?.length ?? 0).toBeLessThan(2000);
    }
  });

  it('starts the first batches of chunks in its first task and queues each load behind the current one', async () => {
    const shape = await pipelineShape(h, `${ZL_PARENT_ID}/ohlcv-1d/ZL.c.0`);
    // the child's run: 34 chunks in 3 batches of up to 12, one run, so every batch is downloading before the first load
    expect(shape.downloads).toBe(3);
    expectBatchPipeline(shape);
  });

  it('downloads later batches while earlier ones load (NQ.FUT ohlcv-1h 2020–2023: 8 chunks of ~500 KB, batches capped at 1 MiB)', async () => {
    const { handle } = await startBackfill(h.client, NQ_2020_2023);
    const result = await handle.result();
    const records = result.series[0].chunks.reduce((s, c) => s + (c.records ?? 0), 0);
    expect(result.series[0].chunks.filter((c) => c.state === 'loaded')).toHaveLength(8);
    expect(result.series[0].rowsLoaded).toBe(records);
    const shape = await pipelineShape(h, `${handle.workflowId}/ohlcv-1h/NQ.FUT`);
    // more batches than the first task starts: the fourth downloads once the first load ends, beside the next load
    expect(shape.downloads).toBeGreaterThanOrEqual(4);
    expectBatchPipeline(shape);
    expect(shape.overlapped).toBeGreaterThanOrEqual(1);
  });

  it('re-running the finished backfill makes no get_range request and adds no row', async () => {
    h.gateway.stats.reset();
    const { handle } = await startBackfill(h.client, ZL_FULL);
    const result = await handle.result();
    expect(h.gateway.stats.getRange.requests).toBe(0);
    expect(result.quotedCostUsd).toBe(0);
    expect(result.series[0].chunks.every((c) => c.state === 'skipped')).toBe(true);
    expect(await zlRows(h)).toBe(4062);
  });
});
