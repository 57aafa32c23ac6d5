import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '../../config/env';
import { type PipelineHarness, startPipelineHarness } from '../support/pipeline-harness';
import { runCli } from '../support/run-cli';

function cliEnv(env: Env): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS,
    TEMPORAL_TASK_QUEUE: env.TEMPORAL_TASK_QUEUE,
    DUCKDB_PATH: env.DUCKDB_PATH,
    DATA_DIR: env.DATA_DIR,
    LOG_LEVEL: 'warn',
  };
}

const backfillArgs = (start: string, end: string) => [
  'backfill',
  '--dataset', 'GLBX.MDP3',
  '--schema', 'ohlcv-1d',
  '--symbols', 'ZL.c.0',
  '--stype-in', 'continuous',
  '--start', start,
  '--end', end,
  '--max-cost', '0.000001',
  '--no-features',
];

async function waitForStage(h: PipelineHarness, workflowId: string, stage: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 120; i++) {
    const res = await runCli(['status', workflowId], cliEnv(h.env));
    if (res.code === 0) {
      const status = JSON.parse(res.stdout);
      if (status.progress?.stage === stage) return status;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`run ${workflowId} never reached stage ${stage}`);
}

describe('cost gate: a quote above --max-cost waits for approval, downloads nothing until then', () => {
  let h: PipelineHarness;
  beforeAll(async () => {
    h = await startPipelineHarness();
    await h.startWorkers();
  });
  afterAll(async () => h?.stop());

  it('waits at awaiting_approval (status, search attribute, current details), then approve lets it finish', async () => {
    h.gateway.stats.reset();
    const started = await runCli(backfillArgs('2024-01-01', '2025-01-01'), cliEnv(h.env));
    expect(started.code, started.stderr).toBe(0);
    const { workflowId } = JSON.parse(started.stdout);
    expect(workflowId).toBe('backfill/GLBX.MDP3/ohlcv-1d/ZL.c.0/2024-01-01/2025-01-01');

    const status = await waitForStage(h, workflowId, 'awaiting_approval');
    const progress = status.progress as { quotedCostUsd: number; budgetUsd: number; detail: string };
    expect(progress.quotedCostUsd).toBeGreaterThan(0.000001);
    expect(progress.detail).toMatch(/^cost USD [\d.]+ exceeds budget USD 0\.000001/);
    expect(h.gateway.stats.getRange.requests).toBe(0);

    // the same backfill started again attaches to the waiting run
    const attach = await runCli(backfillArgs('2024-01-01', '2025-01-01'), cliEnv(h.env));
    expect(attach.code, attach.stderr).toBe(0);
    expect(JSON.parse(attach.stdout)).toEqual({ workflowId, attached: true });
    expect(attach.stderr).toContain(`attached to running ${workflowId}`);

    // findable the way an operator would in the UI
    let found = 0;
    for (let i = 0; i < 40 && !found; i++) {
      for await (const wf of h.client.client.workflow.list({ query: `PipelineStage="awaiting_approval" AND WorkflowId="${workflowId}"` })) {
        if (wf.workflowId === workflowId) found++;
      }
      if (!found) await new Promise((r) => setTimeout(r, 250));
    }
    expect(found).toBe(1);
    const description = await h.client.client.workflow.getHandle(workflowId).describe();
    expect(description.memo?.request).toMatchObject({ symbols: ['ZL.c.0'], maxCostUsd: 0.000001 });

    // an approval below the quote is refused by the validator (and leaves no trace in history)
    const tooLow = await runCli(['approve', workflowId, '--max-cost', '0.0000011'], cliEnv(h.env));
    expect(tooLow.code).not.toBe(0);
    expect(tooLow.stderr).toMatch(/does not cover the quoted/);

    const approved = await runCli(['approve', workflowId], cliEnv(h.env));
    expect(approved.code, approved.stderr).toBe(0);
    expect(JSON.parse(approved.stdout).approvedCostUsd).toBeCloseTo(progress.quotedCostUsd, 12);
    const result = await h.client.client.workflow.getHandle(workflowId).result();
    expect(result.approval).toBe('approved');
    expect(result.series[0].chunks.map((c: { state: string }) => c.state)).toEqual(['loaded', 'loaded']);
    expect(h.gateway.stats.getRange.requests).toBe(2);

    const again = await runCli(['approve', workflowId], cliEnv(h.env));
    expect(again.code).not.toBe(0);
  });

  it('reject fails the run with BudgetNotApproved and nothing is downloaded', async () => {
    h.gateway.stats.reset();
    const started = await runCli(backfillArgs('2022-01-01', '2023-01-01'), cliEnv(h.env));
    expect(started.code, started.stderr).toBe(0);
    const { workflowId } = JSON.parse(started.stdout);
    await waitForStage(h, workflowId, 'awaiting_approval');
    const rejected = await runCli(['reject', workflowId, '--reason', 'too expensive'], cliEnv(h.env));
    expect(rejected.code, rejected.stderr).toBe(0);
    const err = await h.client.client.workflow.getHandle(workflowId).result().catch((e) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toMatchObject({ type: 'BudgetNotApproved', nonRetryable: true });
    expect((err as WorkflowFailedError).cause?.message).toMatch(/too expensive/);
    expect(h.gateway.stats.getRange.requests).toBe(0);
  });
});
