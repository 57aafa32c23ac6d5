import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, RetryState } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { failureText } from './failure-text';

describe('failureText', () => {
  it("gives the innermost failure's words and type, not the wrappers'", () => {
    const root = ApplicationFailure.nonRetryable('the chunk store at /data has 0 bytes free', 'ChunkStoreFull');
    const activity = new ActivityFailure('Activity task failed', 'fetchChunks', '1', RetryState.NON_RETRYABLE_FAILURE, 'worker', root);
    const child = new ChildWorkflowFailure('default', { workflowId: 'w', runId: 'r' }, 'ingestSeries', RetryState.NON_RETRYABLE_FAILURE, activity);
    expect(failureText(child)).toBe('the chunk store at /data has 0 bytes free [ChunkStoreFull]');
  });

  it('reads plain errors and non-errors too', () => {
    expect(failureText(new Error('boom'))).toBe('boom');
    expect(failureText('text')).toBe('text');
  });
});
