import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackfill } from '../../client/pipeline-client';
import { nqHourlyBackfill } from '../support/nq-backfill';
import { type PipelineHarness, startPipelineHarness } from '../support/pipeline-harness';

/** The innermost failure of a failed backfill (backfill → ingestSeries child → activity → application failure). */
function rootCause(err: unknown): { type?: string; message: string; nonRetryable?: boolean } {
  let e = err as { cause?: unknown; type?: string; message: string; nonRetryable?: boolean };
  while (e.cause) e = e.cause as typeof e;
  return e;
}

/**
 * A chunk store that cannot take a download fails the run at once with its path and what it needs, before any paid
 * request: with DATA_DIR on a small tmpfs, 18 attempts used to make 60 get_range requests for 32 chunks (issue 20,
 * defect 2). Real file systems: tmpfs mounts made here (the tests run as root, as CI does).
 */
describe('a full or read-only chunk store is reported before anything is paid for', () => {
  let h: PipelineHarness;
  const mounts: string[] = [];
  const mountTmpfs = (name: string, size: string, readOnly = false) => {
    const dir = path.join(h.dir, name);
    mkdirSync(dir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${readOnly ? ',ro' : ''}`, 'tmpfs', dir]);
    mounts.push(dir);
    return dir;
  };
  beforeAll(async () => {
    h = await startPipelineHarness();
  });
  afterAll(async () => {
    for (const m of mounts) execFileSync('umount', ['-l', m]);
    await h?.stop();
  });

  const failFetching = async (dataDir: string, start: string, end: string) => {
    const workers = await h.startWorkers({ DATA_DIR: dataDir, hostId: path.basename(dataDir) });
    h.gateway.stats.reset();
    try {
      const { handle } = await startBackfill(h.client, nqHourlyBackfill(start, end));
      const err = await handle.result().then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      return { cause: rootCause(err), requests: h.gateway.stats.getRange.requests };
    } finally {
      workers.shutdown();
      await workers.done;
    }
  };

  it('full: fails with ChunkStoreFull naming the path and the bytes needed, with no get_range request', async () => {
    const small = mountTmpfs('small', '256k');
    const { cause, requests } = await failFetching(small, '2025-01-01', '2025-07-01');
    expect(cause).toMatchObject({ type: 'ChunkStoreFull', nonRetryable: true });
    expect(cause.message).toContain(small);
    expect(cause.message).toMatch(/has \d+ bytes free and chunk 2025H1 needs about \d+/);
    expect(requests).toBe(0);
  });

  it('read-only: fails with ChunkStoreUnwritable naming the path, with no get_range request', async () => {
    const readOnly = mountTmpfs('read-only', '16m', true);
    const { cause, requests } = await failFetching(readOnly, '2024-01-01', '2024-07-01');
    expect(cause).toMatchObject({ type: 'ChunkStoreUnwritable', nonRetryable: true });
    expect(cause.message).toContain(readOnly);
    expect(requests).toBe(0);
  });
});
