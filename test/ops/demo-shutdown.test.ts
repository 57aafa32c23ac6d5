import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PipelineClient, connectPipelineClient } from '../../client/pipeline-client';
import { type DevServer, startTemporalDevServer } from '../../local/temporal-dev-server';
import { type LocalStack, startStatusPoller, stopLocalStack } from '../../scripts/demo';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Issue 20 defect 8: `CI=true npm run demo` printed its summary, then died with an uncaught grpc-js
 * `Error: Channel has been shut down` in about a third of runs. A progress poll still in flight when the demo
 * closed its client got UNAVAILABLE once the dev server stopped; the client's retry interceptor then retried
 * it on a timer, on the closed channel, and grpc-js threw from that timer.
 */
describe('demo status poller', () => {
  const passThrough = { withAbortSignal: <R>(_signal: AbortSignal, fn: () => Promise<R>) => fn() };

  it('stop() waits for the poll in flight, then no poll starts any more', async () => {
    let polls = 0;
    let finish: () => void = () => undefined;
    const poller = startStatusPoller(passThrough, () => {
      polls++;
      return new Promise<void>((resolve) => (finish = resolve));
    }, 10);
    while (polls === 0) await sleep(5);
    await sleep(50);
    expect(polls).toBe(1); // one at a time: a slow poll does not pile up others

    let stopped = false;
    const stopping = poller.stop().then(() => (stopped = true));
    await sleep(50);
    expect(stopped).toBe(false);
    finish();
    await stopping;
    await sleep(50);
    expect(polls).toBe(1);
  });

  it('gives each poll its own abort signal (the connection never removes the listener a call adds to one)', async () => {
    const signals: AbortSignal[] = [];
    const recording = { withAbortSignal: <R>(signal: AbortSignal, fn: () => Promise<R>) => (signals.push(signal), fn()) };
    const poller = startStatusPoller(recording, async () => undefined, 1);
    while (signals.length < 5) await sleep(5);
    await poller.stop();
    expect(new Set(signals).size).toBe(signals.length);
  });
});

describe('demo shutdown: no client call outlives the client', () => {
  let server: DevServer;
  let pc: PipelineClient;
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);

  beforeAll(async () => {
    server = await startTemporalDevServer({});
    pc = await connectPipelineClient({ TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: server.namespace, TEMPORAL_TASK_QUEUE: `no-worker-${process.pid}` });
    process.on('uncaughtException', onUncaught);
  });
  afterAll(async () => {
    process.off('uncaughtException', onUncaught);
    await server?.stop();
  });

  it('stops the poller before closing the client, even with a poll that would never finish', async () => {
    // a workflow no worker serves: its result is a long poll that stays open until the server goes away
    const handle = await pc.client.workflow.start('nobodyRunsThis', { taskQueue: `no-worker-${process.pid}`, workflowId: `demo-shutdown-${Date.now()}` });
    let polls = 0;
    let settled = 0;
    const poller = startStatusPoller(
      pc.client.connection,
      async () => {
        polls++;
        await handle.result().finally(() => settled++);
      },
      50,
      300,
    );
    while (polls === 0) await sleep(10);
    await sleep(200);

    const order: string[] = [];
    const stack: LocalStack = {
      workers: { shutdown: () => order.push('workers.shutdown'), close: async () => void order.push('workers.close') },
      running: Promise.resolve(),
      client: { close: async () => void (order.push(`client.close (polls in flight: ${polls - settled})`), await pc.close()) },
      gateway: { close: async () => void order.push('gateway.close') },
      server: { stop: async () => void (order.push('server.stop'), await server.stop()) },
    };
    await stopLocalStack(stack, poller);
    // the client's retry backoff starts at ~100 ms: give a retry on the closed channel time to fire
    await sleep(1500);

    expect(uncaught.map(String)).toEqual([]);
    expect(order[0]).toBe('client.close (polls in flight: 0)');
    expect(order.at(-1)).toBe('server.stop');
    const pollsAtStop = polls;
    await sleep(200);
    expect(polls).toBe(pollsAtStop);
  });
});
