import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveSpend, backfillStatus, rejectSpend, startBackfill } from '../../client/pipeline-client';
import { type PipelineHarness, startPipelineHarness } from '../support/pipeline-harness';
import { zlBackfill } from '../support/zl-backfill';

/**
 * approve and reject sent at the same moment, while no worker runs, both used to succeed and the run downloaded
 * (issue 20, defect 3). The decisions reach the workflow together when a worker comes back: the first wins.
 */
describe('decisions at the cost gate are exactly-once', () => {
  let h: PipelineHarness;
  beforeAll(async () => {
    h = await startPipelineHarness();
  });
  afterAll(async () => h?.stop());

  it('of an approve and a reject sent together with the worker stopped, one wins and the other is refused', async () => {
    const workers = await h.startWorkers();
    const { handle } = await startBackfill(h.client, zlBackfill('2021-01-01', '2022-01-01', { maxCostUsd: 0.000001 }));
    for (let i = 0; i < 300 && (await backfillStatus(h.client, handle.workflowId).catch(() => null))?.progress?.stage !== 'awaiting_approval'; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    workers.shutdown();
    await workers.done;
    h.gateway.stats.reset();

    const decisions = Promise.allSettled([approveSpend(h.client, handle.workflowId, {}), rejectSpend(h.client, handle.workflowId, 'too expensive')]);
    // both updates wait at the server for a worker
    await new Promise((r) => setTimeout(r, 1500));
    await h.startWorkers();
    const [approved, rejected] = await decisions;

    const won = [approved, rejected].filter((d) => d.status === 'fulfilled');
    const refused = [approved, rejected].filter((d): d is PromiseRejectedResult => d.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(String((refused[0].reason as Error)?.cause ?? refused[0].reason)).toMatch(/first decision stands/);

    const outcome = await handle.result().then(() => 'completed', (e: unknown) => e);
    if (approved.status === 'fulfilled') {
      expect(outcome).toBe('completed');
      expect(h.gateway.stats.getRange.requests).toBeGreaterThan(0);
    } else {
      expect(outcome).toBeInstanceOf(WorkflowFailedError);
      expect(h.gateway.stats.getRange.requests).toBe(0);
    }
  });
});
