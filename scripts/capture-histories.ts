/**
 * Records real workflow histories for the replay tests (`npm run histories:capture`): runs each scenario on a
 * fresh dev server against the gateway over the recordings, and writes
 * test/histories/<workflowType>/<scenario>[_patch-<id>…]_sdk-<version>.json.
 * Existing files are never overwritten: histories of runs that may still be in flight must keep replaying. Once no
 * such run can exist (docs/workflow-changes.md), delete the old files and capture again.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { approveSpend, backfillStatus, rejectSpend, startBackfill } from '../client/pipeline-client';
import { repoRoot } from '../config/env';
import { startPipelineHarness, type PipelineHarness } from '../test/support/pipeline-harness';
import { plantCorruptedChunk } from '../test/support/corrupt-chunk';
import type { dailyIngest } from '../workflows/daily-ingest';
import type { validateRecent } from '../workflows/validate-recent';
import { resolveQuarantineUpdate } from '../workflows/messages';
import { zlBackfill } from '../test/support/zl-backfill';

const outDir = path.join(repoRoot, 'test', 'histories');
const sdk = '1.24.0';


/**
 * The patch ids a history took (`patched()` markers), in the file name: a workflow change behind a patch records
 * new histories next to the old ones, which must keep replaying on the old path.
 */
function patchIds(history: temporal.api.history.v1.IHistory): string[] {
  const ids = new Set<string>();
  for (const e of history.events ?? []) {
    const m = e.markerRecordedEventAttributes;
    // sdk-core's patch marker: details["patch-data"] = JSON {"id": …, "deprecated": …}
    const data = m?.markerName === 'core_patch' ? m.details?.['patch-data']?.payloads?.[0]?.data : undefined;
    if (data) ids.add((JSON.parse(Buffer.from(data).toString('utf8')) as { id: string }).id);
  }
  return [...ids].sort();
}

async function save(h: PipelineHarness, workflowId: string, type: string, scenario: string, runId?: string): Promise<void> {
  const history = await h.client.client.workflow.getHandle(workflowId, runId).fetchHistory();
  const patches = patchIds(history).map((id) => `_patch-${id}`).join('');
  const file = path.join(outDir, type, `${scenario}${patches}_sdk-${sdk}.json`);
  if (existsSync(file)) {
    console.log(`keep   ${path.relative(repoRoot, file)} (exists)`);
    return;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  // envelope: replay needs the real workflow id (child ids derive from it)
  writeFileSync(file, `${JSON.stringify({ workflowId, workflowType: type, scenario, history: JSON.parse(historyToJSON(history)) })}\n`);
  console.log(`wrote  ${path.relative(repoRoot, file)} (${history.events?.length ?? 0} events)`);
}

async function waitForStage(h: PipelineHarness, workflowId: string, stage: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const s = await backfillStatus(h.client, workflowId).catch(() => null);
    if (s?.progress?.stage === stage) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${workflowId} never reached ${stage}`);
}

async function childRuns(h: PipelineHarness, childId: string): Promise<string[]> {
  const runs: string[] = [];
  for await (const wf of h.client.client.workflow.list({ query: `WorkflowId="${childId}"` })) runs.push(wf.runId);
  return runs;
}

/** over budget approved and rejected, a download broken mid-stream, continue-as-new every 3 chunks */
async function captureGateAndFaults(h: PipelineHarness): Promise<void> {
  {
    const { handle } = await startBackfill(h.client, zlBackfill('2023-01-01', '2024-01-01', { maxCostUsd: 0.000001 }));
    await waitForStage(h, handle.workflowId, 'awaiting_approval');
    await approveSpend(h.client, handle.workflowId, {});
    await handle.result();
    await save(h, handle.workflowId, 'backfill', 'approved');
  }
  {
    const { handle } = await startBackfill(h.client, zlBackfill('2022-01-01', '2023-01-01', { maxCostUsd: 0.000001 }));
    await waitForStage(h, handle.workflowId, 'awaiting_approval');
    await rejectSpend(h.client, handle.workflowId, 'capture: rejected');
    await (handle as WorkflowHandle).result().catch(() => undefined);
    await save(h, handle.workflowId, 'backfill', 'rejected');
  }
  {
    h.gateway.faults.resetAfterBytes = { bytes: 2_000, count: 1 };
    h.gateway.faults.onlyPaths = ['/v0/timeseries.get_range'];
    const { handle } = await startBackfill(h.client, zlBackfill('2021-01-01', '2022-01-01'));
    await handle.result();
    await save(h, `${handle.workflowId}/ohlcv-1d/ZL.c.0`, 'ingestSeries', 'download-retried');
  }
  {
    const { handle } = await startBackfill(h.client, zlBackfill('2016-01-01', '2020-01-01', { chunksPerRun: 3 }));
    await handle.result();
    const childId = `${handle.workflowId}/ohlcv-1d/ZL.c.0`;
    const runs = await childRuns(h, childId);
    if (runs.length < 2) throw new Error(`expected continue-as-new, found ${runs.length} run(s)`);
    for (const [i, runId] of runs.entries()) await save(h, childId, 'ingestSeries', `continued-as-new-run${runs.length - i}`, runId);
  }
}

/** the whole ZL backfill on a fresh server (nothing loaded before), with FRED, features and forecast at the end */
async function captureHappyPath(p: PipelineHarness): Promise<void> {
  const { handle } = await startBackfill(p.client, zlBackfill('2010-06-06', '2026-08-12', { buildFeatures: true }));
  await handle.result();
  await save(p, handle.workflowId, 'backfill', 'happy-path');
  await save(p, `${handle.workflowId}/ohlcv-1d/ZL.c.0`, 'ingestSeries', 'happy-path');
}

/** daily ingestion and the weekly re-validation after a partial backfill */
async function captureDaily(d: PipelineHarness): Promise<void> {
  const { handle } = await startBackfill(d.client, zlBackfill('2025-01-01', '2026-07-01'));
  await handle.result();
  const series = [{ dataset: 'GLBX.MDP3', schema: 'ohlcv-1d' as const, symbol: 'ZL.c.0', stypeIn: 'continuous' as const }];
  const daily = await d.client.client.workflow.start<typeof dailyIngest>('dailyIngest', {
    taskQueue: d.client.taskQueue,
    workflowId: 'daily/capture/ZL.c.0',
    args: [{ series, maxCostUsd: 5, fred: { lookbackDays: 30 }, buildFeatures: true }],
  });
  await daily.result();
  await save(d, daily.workflowId, 'dailyIngest', 'loads-new-bars');
  const check = await d.client.client.workflow.start<typeof validateRecent>('validateRecent', {
    taskQueue: d.client.taskQueue,
    workflowId: 'validate-recent/capture/ZL.c.0',
    args: [{ series, lastChunks: 2 }],
  });
  await check.result();
  await save(d, check.workflowId, 'validateRecent', 'recent-chunks-ok');
}

/** an operator's quarantine review: a corrupted chunk re-downloaded */
async function captureQuarantine(d: PipelineHarness): Promise<void> {
  await plantCorruptedChunk(d, '2019H2', '2019-07-01T00:00:00Z', '2020-01-01T00:00:00Z');
  const { handle } = await startBackfill(d.client, zlBackfill('2019-01-01', '2020-01-01', { quarantineReviewTimeout: '10 minutes' }));
  const childId = `${handle.workflowId}/ohlcv-1d/ZL.c.0`;
  for (let i = 0; i < 600; i++) {
    const s = await backfillStatus(d.client, handle.workflowId).catch(() => null);
    if (s?.series[0]?.chunks.some((c) => c.state === 'quarantined') && s.series[0].chunks.every((c) => c.state === 'quarantined' || c.state === 'loaded')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await d.client.client.workflow.getHandle(childId).executeUpdate(resolveQuarantineUpdate, { args: [{ chunkId: '2019H2', action: 'redownload' }] });
  await handle.result();
  await save(d, childId, 'ingestSeries', 'quarantine-redownloaded');
}

/** each group of scenarios on a fresh dev server */
async function onFreshServer(taskQueue: string, ...scenarios: ((h: PipelineHarness) => Promise<void>)[]): Promise<void> {
  const h = await startPipelineHarness({ taskQueue });
  await h.startWorkers();
  try {
    for (const scenario of scenarios) await scenario(h);
  } finally {
    await h.stop();
  }
}

async function main(): Promise<void> {
  await onFreshServer('capture', captureGateAndFaults);
  await onFreshServer('capture-happy', captureHappyPath);
  await onFreshServer('capture-daily', captureDaily, captureQuarantine);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
