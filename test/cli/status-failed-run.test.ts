import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillStatus, rejectSpend, startBackfill } from '../../client/pipeline-client';
import type { Env } from '../../config/env';
import { type PipelineHarness, startPipelineHarness } from '../support/pipeline-harness';
import { runCli } from '../support/run-cli';
import { zlBackfill } from '../support/zl-backfill';

const cliEnv = (env: Env): Record<string, string> => ({
  TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS,
  TEMPORAL_TASK_QUEUE: env.TEMPORAL_TASK_QUEUE,
  DUCKDB_PATH: env.DUCKDB_PATH,
  DATA_DIR: env.DATA_DIR,
  LOG_LEVEL: 'warn',
});

async function startGated(h: PipelineHarness, start: string, end: string): Promise<string> {
  const { handle } = await startBackfill(h.client, zlBackfill(start, end, { maxCostUsd: 0.000001 }));
  for (let i = 0; i < 300; i++) {
    const s = await backfillStatus(h.client, handle.workflowId).catch(() => null);
    if (s?.progress?.stage === 'awaiting_approval') return handle.workflowId;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${handle.workflowId} never reached awaiting_approval`);
}

/**
 * Issue 20 defect 7: `status` of a failed run exited 0, showed the stage it was in when it failed
 * (awaiting_approval) and no word of why it failed.
 */
describe('cli status: a run that did not complete exits non-zero with its failure', () => {
  let h: PipelineHarness;
  beforeAll(async () => {
    h = await startPipelineHarness();
    await h.startWorkers();
  });
  afterAll(async () => h?.stop());

  it('a running run exits 0 with its stage; once rejected at the cost gate it exits non-zero with the failure and its cause', async () => {
    const workflowId = await startGated(h, '2022-01-01', '2023-01-01');
    const running = await runCli(['status', workflowId], cliEnv(h.env));
    expect(running.code, running.stderr).toBe(0);
    const runningStatus = JSON.parse(running.stdout);
    expect(runningStatus).toMatchObject({ status: 'RUNNING', progress: { stage: 'awaiting_approval' } });
    expect(runningStatus.failure ?? null).toBeNull();

    await rejectSpend(h.client, workflowId, 'too expensive for this test');
    await h.client.client.workflow.getHandle(workflowId).result().catch(() => undefined);

    const failed = await runCli(['status', workflowId], cliEnv(h.env));
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain(`${workflowId} FAILED`);
    expect(failed.stderr).toContain('too expensive for this test');
    expect(failed.stderr).toContain('[BudgetNotApproved]');
    const status = JSON.parse(failed.stdout);
    expect(status.status).toBe('FAILED');
    // the stage it had reached is kept as the last one; the current one says it failed
    expect(status.progress.stage).toBe('failed');
    expect(status.failure).toMatchObject({ status: 'FAILED', lastStage: 'rejected' });
    expect(status.failure.message).toMatch(/too expensive for this test/);
    expect(status.failure.chain).toEqual([
      expect.objectContaining({ type: 'WorkflowFailedError', message: 'Workflow execution failed' }),
      expect.objectContaining({ type: 'ApplicationFailure', failureType: 'BudgetNotApproved', message: expect.stringMatching(/too expensive for this test/) }),
    ]);
  });

  it('a terminated run exits non-zero with the reason it was terminated', async () => {
    const workflowId = await startGated(h, '2021-01-01', '2022-01-01');
    await h.client.client.workflow.getHandle(workflowId).terminate('operator stopped it');
    const r = await runCli(['status', workflowId], cliEnv(h.env));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${workflowId} TERMINATED`);
    expect(r.stderr).toContain('operator stopped it');
    expect(JSON.parse(r.stdout).failure.chain.map((l: { type: string }) => l.type)).toEqual(['WorkflowFailedError', 'TerminatedFailure']);
  });

  it('a completed run exits 0 with no failure', async () => {
    const { handle } = await startBackfill(h.client, zlBackfill('2024-01-01', '2024-07-01'));
    await handle.result();
    const r = await runCli(['status', handle.workflowId], cliEnv(h.env));
    expect(r.code, r.stderr).toBe(0);
    const status = JSON.parse(r.stdout);
    expect(status).toMatchObject({ status: 'COMPLETED', progress: { stage: 'done' } });
    expect(status.failure ?? null).toBeNull();
  });
});
