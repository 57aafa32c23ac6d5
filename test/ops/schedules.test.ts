import { ScheduleNotFoundError, WorkflowFailedError, type Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readClContinuous, readZlDaily } from '../../recordings';
import { createWarehouseFromEnv } from '../../warehouse/warehouse';
import { startBackfill } from '../../client/pipeline-client';
import { parseTimeNs } from '../../domain/time';
import { applySchedules, listPipelineScheduleIds } from '../../schedules/apply-schedules';
import { PIPELINE_SCHEDULES } from '../../schedules';
import { databentoZlPrice } from '../../schedules/databento-zl-price';
import { scheduleOptions } from '../../schedules/pipeline-schedule';
import type { DailyIngestResult, ValidateRecentResult } from '../../workflows/daily-ingest';
import { marketDataDir } from '../support/market-data-dir';
import { type PipelineHarness, startPipelineHarness } from '../support/pipeline-harness';
import { zlBackfill } from '../support/zl-backfill';

const ZL_SCHEDULE = 'pipeline-databento-zl-price';

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Triggers the schedule (overlap SKIP) and waits for the run it started. */
async function triggerAndWait(client: Client, scheduleId: string): Promise<{ workflowId: string; result: DailyIngestResult }> {
  const handle = client.schedule.getHandle(scheduleId);
  const before = (await handle.describe()).info.recentActions.length;
  await handle.trigger('SKIP');
  const workflowId = await eventually('the triggered run', async () => {
    const actions = (await handle.describe()).info.recentActions;
    return actions.length > before ? actions.at(-1)!.action.workflow.workflowId : undefined;
  });
  const result = (await client.workflow.getHandle(workflowId).result()) as DailyIngestResult;
  return { workflowId, result };
}

async function count(h: PipelineHarness, sql: string): Promise<number> {
  const w = await createWarehouseFromEnv(h.env);
  try {
    const [r] = await w.query<{ n: string }>(sql);
    return Number(r.n);
  } finally {
    await w.close();
  }
}

describe('schedules on the dev server: apply, trigger → dailyIngest, visibility', () => {
  let h: PipelineHarness;
  beforeAll(async () => {
    h = await startPipelineHarness();
    await h.startWorkers();
  });
  afterAll(async () => h?.stop());

  it('apply is idempotent, keeps an operator pause, and deletes our schedules that left the code', async () => {
    const client = h.client.client;
    const ids = PIPELINE_SCHEDULES.map((s) => s.scheduleId).sort();
    const first = await applySchedules(client, { taskQueue: h.env.TEMPORAL_TASK_QUEUE });
    expect(first.created.sort()).toEqual(ids);
    const second = await applySchedules(client, { taskQueue: h.env.TEMPORAL_TASK_QUEUE });
    expect(second).toEqual({ created: [], updated: PIPELINE_SCHEDULES.map((s) => s.scheduleId), deleted: [] });
    expect(await eventually('4 listed schedules', async () => {
      const listed = await listPipelineScheduleIds(client);
      return listed.length === ids.length ? listed : undefined;
    })).toEqual(ids);

    const zl = await client.schedule.getHandle(ZL_SCHEDULE).describe();
    expect(zl.spec.timezone).toBe('America/Chicago');
    expect(zl.policies).toMatchObject({ overlap: 'SKIP', pauseOnFailure: true, catchupWindow: 6 * 3600_000 });
    expect(zl.action.workflowType).toBe('dailyIngest');
    expect(zl.action.args?.[0]).toMatchObject({ series: [{ symbol: 'ZL.c.0', schema: 'ohlcv-1d' }], buildFeatures: true });

    await client.schedule.getHandle(ZL_SCHEDULE).pause('operator: vendor outage');
    await applySchedules(client, { taskQueue: h.env.TEMPORAL_TASK_QUEUE });
    const paused = await client.schedule.getHandle(ZL_SCHEDULE).describe();
    expect(paused.state.paused).toBe(true);
    expect(paused.state.note).toBe('operator: vendor outage');
    await client.schedule.getHandle(ZL_SCHEDULE).unpause('test done');

    // a schedule of ours that the code no longer has
    await client.schedule.create(scheduleOptions({ ...databentoZlPrice, scheduleId: 'pipeline-retired-job' }, h.env.TEMPORAL_TASK_QUEUE));
    await eventually('the retired schedule in the list', async () => ((await listPipelineScheduleIds(client)).includes('pipeline-retired-job') ? true : undefined));
    const third = await applySchedules(client, { taskQueue: h.env.TEMPORAL_TASK_QUEUE });
    expect(third.deleted).toEqual(['pipeline-retired-job']);
    await expect(client.schedule.getHandle('pipeline-retired-job').describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });

  it('trigger adds exactly the recorded bars beyond the ledger; a second trigger adds none and says up-to-date', async () => {
    const client = h.client.client;
    // history up to 2026-07-01 (every chunk through 2026H1)
    const { handle } = await startBackfill(h.client, zlBackfill('2010-06-06', '2026-07-01'));
    await handle.result();
    const recording = await readZlDaily(marketDataDir());
    const julyNs = parseTimeNs('2026-07-01');
    const recordedAfterJuly = [...recording.columns.ts_event].filter((t) => t >= julyNs);
    const recordedBeforeJuly = recording.columns.length - recordedAfterJuly.length;
    expect(recordedAfterJuly.length).toBeGreaterThan(0);
    const zlCount = "select count(*) as n from market_data.databento_futures_ohlcv_1d where symbol = 'ZL.c.0'";
    expect(await count(h, zlCount)).toBe(recordedBeforeJuly);

    h.gateway.stats.reset();
    const first = await triggerAndWait(client, ZL_SCHEDULE);
    expect(first.workflowId.startsWith('daily/zl-price-')).toBe(true);
    expect(first.result.series).toHaveLength(1);
    expect(first.result.series[0]).toMatchObject({
      series: 'GLBX.MDP3/ohlcv-1d/ZL.c.0',
      status: 'loaded',
      from: '2026-07-01T00:00:00Z',
      to: '2026-08-12T00:00:00Z',
      rowsLoaded: recordedAfterJuly.length,
      chunks: ['2026H2.20260701-20260812'],
    });
    expect(first.result.rowsLoaded).toBe(recordedAfterJuly.length);
    expect(h.gateway.stats.getRange.requests).toBe(1);
    expect(await count(h, zlCount)).toBe(recording.columns.length);
    // the last recorded bar (2026-08-10) is in the warehouse
    expect(await count(h, "select count(*) as n from market_data.databento_futures_ohlcv_1d where symbol = 'ZL.c.0' and ts_event = TIMESTAMP '2026-08-10 00:00:00'")).toBe(1);
    expect(first.result.features?.rows ?? 0).toBeGreaterThan(0);
    expect(first.result.forecast?.modelRunIds.length ?? 0).toBeGreaterThan(0);

    h.gateway.stats.reset();
    const second = await triggerAndWait(client, ZL_SCHEDULE);
    expect(second.workflowId).not.toBe(first.workflowId);
    expect(second.result.series[0]).toMatchObject({ status: 'up-to-date', rowsLoaded: 0, from: '2026-08-12T00:00:00Z' });
    expect(second.result.series[0].detail).toMatch(/up to date/);
    expect(second.result.rowsLoaded).toBe(0);
    expect(second.result.features).toBeNull();
    expect(h.gateway.stats.getRange.requests).toBe(0);
    expect(await count(h, zlCount)).toBe(recording.columns.length);
    const details = await client.workflow.getHandle(second.workflowId).describe();
    expect(details.memo).toMatchObject({ request: { maxCostUsd: 5, buildFeatures: true } });
  });

  it('finds the scheduled runs by TemporalScheduledById and by our search attributes', async () => {
    const client = h.client.client;
    const collect = async (query: string) => {
      const out: { workflowId: string; type: string; stage: unknown; symbols: unknown }[] = [];
      for await (const wf of client.workflow.list({ query })) {
        out.push({ workflowId: wf.workflowId, type: wf.type, stage: wf.searchAttributes.PipelineStage?.[0], symbols: wf.searchAttributes.Symbols });
      }
      return out;
    };
    const bySchedule = await eventually('2 runs of the ZL schedule', async () => {
      const runs = await collect(`TemporalScheduledById="${ZL_SCHEDULE}"`);
      return runs.length === 2 && runs.every((r) => r.stage === 'done') ? runs : undefined;
    });
    expect(bySchedule.every((r) => r.type === 'dailyIngest' && r.workflowId.startsWith('daily/zl-price-'))).toBe(true);

    const byAttributes = await collect('WorkflowType="dailyIngest" AND PipelineStage="done" AND Symbols="ZL.c.0" AND Dataset="GLBX.MDP3" AND `Schema`="ohlcv-1d"');
    expect(byAttributes.map((r) => r.workflowId).sort()).toEqual(bySchedule.map((r) => r.workflowId).sort());
    // the child that loaded the new bars is found by the same attributes
    const children = await collect('WorkflowType="ingestSeries" AND Symbols="ZL.c.0" AND WorkflowId STARTS_WITH "daily/zl-price-"');
    expect(children).toHaveLength(1);
  });

  it('the weekly validate-recent run re-checks the last loaded chunks; a warehouse that drifted fails it and pauses the schedule', async () => {
    const client = h.client.client;
    const VALIDATE = 'pipeline-validate-recent';
    const handle = client.schedule.getHandle(VALIDATE);
    const before = (await handle.describe()).info.recentActions.length;
    await handle.trigger('SKIP');
    const workflowId = await eventually('the validate run', async () => {
      const actions = (await handle.describe()).info.recentActions;
      return actions.length > before ? actions.at(-1)!.action.workflow.workflowId : undefined;
    });
    const ok = (await client.workflow.getHandle(workflowId).result()) as ValidateRecentResult;
    expect(ok.failed).toBe(0);
    const zl = ok.series.find((s) => s.series === 'GLBX.MDP3/ohlcv-1d/ZL.c.0')!;
    expect(zl.checked.map((c) => c.chunkId)).toEqual(['2026H2.20260701-20260812', '2026H1', '2025H2', '2025H1']);
    expect(zl.checked.every((c) => c.status === 'ok' && /bars match/.test(c.detail))).toBe(true);
    // the other daily series were never loaded here: nothing to check
    expect(ok.series.filter((s) => s.series !== zl.series).every((s) => s.checked.length === 0)).toBe(true);

    // test-only corruption of the warehouse: one loaded bar's volume no longer matches its chunk file
    const w = await createWarehouseFromEnv(h.env);
    try {
      await w.query("UPDATE market_data.databento_futures_ohlcv_1d SET volume = volume + 1 WHERE symbol = 'ZL.c.0' AND ts_event = TIMESTAMP '2026-08-10 00:00:00'");
    } finally {
      await w.close();
    }
    const before2 = (await handle.describe()).info.recentActions.length;
    await handle.trigger('SKIP');
    const failedId = await eventually('the second validate run', async () => {
      const actions = (await handle.describe()).info.recentActions;
      return actions.length > before2 ? actions.at(-1)!.action.workflow.workflowId : undefined;
    });
    const failure = await client.workflow.getHandle(failedId).result().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(String((failure as WorkflowFailedError).cause?.message)).toMatch(/2026H2\.20260701-20260812: 0 of \d+ bars missing, 1 differ/);
    // pauseOnFailure: someone has to look before the next weekly run
    const paused = await eventually('the schedule to pause', async () => ((await handle.describe()).state.paused ? true : undefined));
    expect(paused).toBe(true);
  });

  it('other-symbols: a series whose own data ends before the dataset does is clipped there; one never loaded is reported no-history', async () => {
    const client = h.client.client;
    const { handle } = await startBackfill(h.client, {
      dataset: 'GLBX.MDP3', schemas: ['ohlcv-1d'], symbols: ['CL.n.0'], stypeIn: 'continuous',
      start: '2024-01-01', end: '2024-07-01', maxCostUsd: 100, buildFeatures: false,
    });
    await handle.result();
    const cl = await readClContinuous(marketDataDir());
    const julyNs = parseTimeNs('2024-07-01');
    const recordedH2 = cl.symbol.filter((sym, i) => sym === 'CL.n.0' && cl.columns.ts_event[i] >= julyNs).length;
    expect(recordedH2).toBeGreaterThan(100);

    const { result } = await triggerAndWait(client, 'pipeline-databento-other-symbols');
    const byId = Object.fromEntries(result.series.map((r) => [r.series, r]));
    // the gateway's recording of CL.n.0 ends 2025-01-01 while ohlcv-1d data runs to 2026-08-12
    expect(byId['GLBX.MDP3/ohlcv-1d/CL.n.0'], byId['GLBX.MDP3/ohlcv-1d/CL.n.0']?.detail).toMatchObject({ status: 'loaded', from: '2024-07-01T00:00:00Z', to: '2025-01-01T00:00:00Z', rowsLoaded: recordedH2, chunks: ['2024H2'] });
    expect(byId['GLBX.MDP3/ohlcv-1h/NQ.FUT']).toMatchObject({ status: 'no-history', rowsLoaded: 0 });
    expect(result.features).toBeNull();

    const again = await triggerAndWait(client, 'pipeline-databento-other-symbols');
    expect(again.result.series.find((r) => r.series === 'GLBX.MDP3/ohlcv-1d/CL.n.0')).toMatchObject({ status: 'up-to-date', rowsLoaded: 0 });
  });
});
