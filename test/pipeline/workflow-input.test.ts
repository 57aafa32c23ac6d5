import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfill } from '../../workflows/backfill';
import { dailyIngest } from '../../workflows/daily-ingest';
import { type PipelineHarness, startPipelineHarness } from '../support/pipeline-harness';
import { zlBackfill } from '../support/zl-backfill';

// the client validates before it starts a run; these start the workflows directly, as another SDK or the Web UI could
describe('workflows validate their own input: a bad start fails the run, non-retryable, before any request', () => {
  let h: PipelineHarness;
  beforeAll(async () => {
    h = await startPipelineHarness();
    await h.startWorkers();
  });
  afterAll(async () => h?.stop());

  const failure = async (run: Promise<unknown>) => {
    const err = await run.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    return (err as WorkflowFailedError).cause;
  };

  it('backfill: end before start is InvalidBackfillInput, with the field and the reason', async () => {
    h.gateway.stats.reset();
    const cause = await failure(
      h.client.client.workflow.execute(backfill, {
        taskQueue: h.client.taskQueue,
        workflowId: `invalid-backfill-${process.pid}`,
        args: [zlBackfill('2020-01-01', '2019-01-01')],
      }),
    );
    expect(cause).toMatchObject({ type: 'InvalidBackfillInput', nonRetryable: true });
    expect(cause?.message).toBe('invalid backfill input: start: start must be before end');
    expect(h.gateway.stats.byEndpoint).toEqual({});
  });

  it('dailyIngest: a negative budget is InvalidDailyIngestInput', async () => {
    h.gateway.stats.reset();
    const cause = await failure(
      h.client.client.workflow.execute(dailyIngest, {
        taskQueue: h.client.taskQueue,
        workflowId: `invalid-daily-${process.pid}`,
        args: [{ series: [{ dataset: 'GLBX.MDP3', schema: 'ohlcv-1d', symbol: 'ZL.c.0', stypeIn: 'continuous' }], maxCostUsd: -1 }],
      }),
    );
    expect(cause).toMatchObject({ type: 'InvalidDailyIngestInput', nonRetryable: true });
    expect(cause?.message).toMatch(/^invalid dailyIngest input: maxCostUsd: /);
    expect(h.gateway.stats.byEndpoint).toEqual({});
  });
});
