import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../logging/logger';
import { describeError } from '../../logging/errors';

/** A JSON logger writing into an array of parsed lines (and their raw text). */
function capture() {
  const raw: string[] = [];
  const logger = createLogger({ level: 'debug', pretty: false, destination: { write: (s: string) => void raw.push(s) } });
  return { logger, raw, lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const dir = mkdtempSync(path.join(tmpdir(), 'log-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A real Node fs error: mkdir below a regular file fails with ENOTDIR, with code, errno, syscall and path set. */
async function fsError(): Promise<NodeJS.ErrnoException> {
  const file = path.join(dir, 'a-file');
  writeFileSync(file, 'x');
  const err = await mkdir(path.join(file, 'chunks', 'GLBX.MDP3'), { recursive: true }).then(() => null, (e: NodeJS.ErrnoException) => e);
  if (!err) throw new Error('mkdir below a file succeeded');
  return err;
}

/**
 * Issue 20 defect 7: errors logged under any key but `err` came out as JSON of an Error: `{"errno":-28,...}`
 * without the message for a system error, `{}` for most others (the Temporal worker logs `Activity failed {error}`).
 */
describe('logged errors say what failed, where, and why', () => {
  it('a Node fs error under `error`: message, code, errno, syscall and path', async () => {
    const err = await fsError();
    expect(err.code).toBe('ENOTDIR');
    const { logger, lines } = capture();
    logger.error({ error: err }, 'could not create the chunk folder');
    const [line] = lines();
    expect(line.error).toMatchObject({
      type: 'Error',
      message: expect.stringContaining(`ENOTDIR: not a directory, mkdir '${err.path}'`),
      code: 'ENOTDIR',
      errno: err.errno,
      syscall: 'mkdir',
      path: err.path,
    });
  });

  it('a real ENOSPC (a write to /dev/full): message, code and syscall, never just errno', async () => {
    const err = await writeFile('/dev/full', 'bars').then(() => null, (e: NodeJS.ErrnoException) => e);
    expect(err?.code).toBe('ENOSPC');
    const { logger, lines } = capture();
    logger.warn({ error: err, file: '/data/chunks/x.dbn.zst' }, 'write failed');
    expect(lines()[0].error).toMatchObject({ message: 'ENOSPC: no space left on device, write', code: 'ENOSPC', errno: -28, syscall: 'write' });
  });

  it("the Temporal worker's `Activity failed {error}`: the failure's message, class, failure type and the whole cause chain", async () => {
    const fsErr = await fsError();
    const appFailure = ApplicationFailure.create({ message: 'quote refused: 422 bad symbol', type: 'DatabentoError', nonRetryable: true, cause: fsErr });
    const activityFailure = new ActivityFailure('Activity task failed', 'quoteSeries', '7', RetryState.NON_RETRYABLE_FAILURE, 'worker@host', appFailure);
    const workflowFailed = new WorkflowFailedError('Workflow execution failed', activityFailure, RetryState.NON_RETRYABLE_FAILURE);
    const { logger, raw, lines } = capture();
    // the shape workers/create-workers.ts forwards from the SDK's logger: the meta object, then the message
    logger.child({ component: 'temporal' }).warn({ error: new Error('quote refused'), durationMs: 12 }, 'Activity failed');
    logger.error({ error: workflowFailed }, 'backfill failed');
    logger.error({ failure: appFailure, reason: activityFailure }, 'other keys');
    logger.error({ meta: { errors: [appFailure] }, entry: { error: fsErr } }, 'nested');
    logger.error(appFailure, 'as the object itself');

    for (const l of raw) expect(l).not.toMatch(/:\{\}/);
    const [plainErr, wf, keys, nested, itself] = lines();
    expect(plainErr.error).toMatchObject({ type: 'Error', message: 'quote refused' });
    expect(wf.error).toMatchObject({
      type: 'WorkflowFailedError',
      message: 'Workflow execution failed',
      retryState: 'NON_RETRYABLE_FAILURE',
      cause: {
        type: 'ActivityFailure',
        activityType: 'quoteSeries',
        activityId: '7',
        cause: { type: 'ApplicationFailure', failureType: 'DatabentoError', message: 'quote refused: 422 bad symbol', nonRetryable: true, cause: { code: 'ENOTDIR', syscall: 'mkdir', path: fsErr.path } },
      },
    });
    expect(keys.failure).toMatchObject({ failureType: 'DatabentoError' });
    expect(keys.reason).toMatchObject({ type: 'ActivityFailure', cause: { failureType: 'DatabentoError' } });
    expect(nested).toMatchObject({ meta: { errors: [{ message: 'quote refused: 422 bad symbol' }] }, entry: { error: { code: 'ENOTDIR' } } });
    expect(itself.err).toMatchObject({ type: 'ApplicationFailure', failureType: 'DatabentoError' });
    // no copy of Temporal's raw proto failure
    expect(JSON.stringify(wf)).not.toContain('"failure"');
  });

  it('strings under `error` stay strings; secrets stay redacted, in a cause chain too', () => {
    const { logger, raw, lines } = capture();
    logger.warn({ error: 'daily series failed', apiKey: 'db-secret' }, 'x');
    const deep = Object.assign(new Error('request failed'), { apiKey: 'db-secret', headers: { authorization: 'Basic db-secret' } });
    logger.warn({ error: new Error('quote failed', { cause: new Error('retries exhausted', { cause: deep }) }) }, 'y');
    expect(lines()[0]).toMatchObject({ error: 'daily series failed', apiKey: '[redacted]' });
    expect(lines()[1]).toMatchObject({ error: { cause: { cause: { message: 'request failed', apiKey: '[redacted]', headers: '[redacted]' } } } });
    expect(raw.join('')).not.toContain('db-secret');
  });

  it('describeError: the cause chain in one line with failure types and codes', async () => {
    const fsErr = await fsError();
    const err = new WorkflowFailedError(
      'Workflow execution failed',
      ApplicationFailure.create({ message: 'quoted cost exceeds budget', type: 'BudgetNotApproved', cause: fsErr }),
      RetryState.NON_RETRYABLE_FAILURE,
    );
    expect(describeError(err)).toBe(`Workflow execution failed: quoted cost exceeds budget [BudgetNotApproved]: ${fsErr.message}`);
  });
});
