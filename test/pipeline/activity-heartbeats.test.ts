import { fileURLToPath } from 'node:url';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, TimeoutFailure, TimeoutType } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asActivity } from '../../activities/as-activity';
import { type DevServer, startTemporalDevServer } from '../../local/temporal-dev-server';
import type { runQuietWork } from '../support/heartbeat-workflows';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `body` as an activity in a mock context and counts the heartbeats it sends. */
async function heartbeatsOf(body: () => Promise<unknown>): Promise<number> {
  const env = new MockActivityEnvironment();
  let beats = 0;
  env.on('heartbeat', () => beats++);
  await env.run(body);
  return beats;
}

describe('activity heartbeats', () => {
  it('keeps a long activity that reports no progress alive', async () => {
    // a load or feature build longer than its heartbeat timeout must not look like a dead worker
    const beats = await heartbeatsOf(() => asActivity(() => sleep(130), { keepAliveEveryMs: 20 }));
    expect(beats).toBeGreaterThanOrEqual(4);
  });

  it('stops heartbeating once the activity has finished, also when it failed', async () => {
    const env = new MockActivityEnvironment();
    let beats = 0;
    env.on('heartbeat', () => beats++);
    await expect(env.run(() => asActivity(async () => {
      await sleep(50);
      throw new Error('boom');
    }, { keepAliveEveryMs: 20 }))).rejects.toThrow('boom');
    const atEnd = beats;
    await sleep(80);
    expect(atEnd).toBeGreaterThan(0);
    expect(beats).toBe(atEnd);
  });

  it('never heartbeats from a local activity (its workflow task is kept alive instead)', async () => {
    const env = new MockActivityEnvironment({ isLocal: true });
    let beats = 0;
    env.on('heartbeat', () => beats++);
    await env.run(() => asActivity(() => sleep(130), { keepAliveEveryMs: 20 }));
    expect(beats).toBe(0);
  });

  it('leaves an activity that heartbeats its own progress alone, so a stall still times it out', async () => {
    const beats = await heartbeatsOf(() => asActivity(() => sleep(130), { heartbeats: 'own', keepAliveEveryMs: 20 }));
    expect(beats).toBe(0);
  });
});

describe('activity heartbeats on a real dev server (heartbeat timeout 1 s)', () => {
  let server: DevServer;
  let worker: Worker;
  let running: Promise<void>;
  let client: Client;
  const taskQueue = `heartbeats-${process.pid}`;
  beforeAll(async () => {
    server = await startTemporalDevServer({});
    const connection = await NativeConnection.connect({ address: server.address });
    worker = await Worker.create({
      connection,
      taskQueue,
      workflowsPath: fileURLToPath(new URL('../support/heartbeat-workflows.ts', import.meta.url)),
      activities: { quietWork: (ms: number, heartbeats: 'keepAlive' | 'own') => asActivity(() => sleep(ms).then(() => 'done'), { heartbeats }) },
    });
    running = worker.run();
    client = new Client({ connection: await Connection.connect({ address: server.address }) });
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await client?.connection.close();
    await server?.stop();
  });

  const run = (heartbeats: 'keepAlive' | 'own') =>
    client.workflow.execute<typeof runQuietWork>('runQuietWork', { taskQueue, workflowId: `quiet-${heartbeats}-${Date.now()}`, args: [2500, heartbeats] });

  it('completes an activity that works quietly for longer than its heartbeat timeout', async () => {
    expect(await run('keepAlive')).toBe('done');
  });

  it('without the keep-alive the same activity times out on its heartbeat (what loads did before)', async () => {
    const err = await run('own').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const activity = (err as WorkflowFailedError).cause;
    expect(activity).toBeInstanceOf(ActivityFailure);
    expect((activity as ActivityFailure).cause).toBeInstanceOf(TimeoutFailure);
    expect(((activity as ActivityFailure).cause as TimeoutFailure).timeoutType).toBe(TimeoutType.HEARTBEAT);
  });
});
