import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, startTemporalDevServer } from '../../local/temporal-dev-server';
import { runCli } from '../support/run-cli';

/**
 * The input schema allows 2,000 symbols, but `backfill/<dataset>/<schemas>/<all symbols>/...` passed Temporal's
 * 1,000-byte workflow id limit at ~300 short ones ("WorkflowId exceeds maximum allowed length (1213/1000)"). Against a
 * real dev server with no worker on the task queue: the start must be accepted, attach when repeated in another
 * order, and keep every symbol in the memo.
 */
describe('cli backfill with 300 symbols: a short, deterministic workflow id', () => {
  let server: DevServer;
  let client: Client;
  let connection: Connection;
  let env: Record<string, string>;
  const symbols = Array.from({ length: 300 }, (_, i) => `S${i.toString(36).toUpperCase()}`);
  const args = (list: string[]) => ['backfill', '--schema', 'ohlcv-1d', '--symbols', list.join(','), '--start', '2025-01-01', '--end', '2025-02-01', '--max-cost', '0'];

  beforeAll(async () => {
    server = await startTemporalDevServer({});
    // no worker polls this queue: the run is started and waits, nothing is quoted or downloaded
    env = { TEMPORAL_ADDRESS: server.address, TEMPORAL_TASK_QUEUE: `no-worker-${process.pid}`, LOG_LEVEL: 'silent' };
    connection = await Connection.connect({ address: server.address });
    client = new Client({ connection, namespace: server.namespace });
  });
  afterAll(async () => {
    await connection?.close();
    await server?.stop();
  });

  it('starts under a hashed id, attaches on a repeated start in another order, memo has every symbol', async () => {
    const first = await runCli(args(symbols), env, 60_000);
    expect(first.code, first.stderr).toBe(0);
    const started = JSON.parse(first.stdout) as { workflowId: string; attached: boolean };
    expect(started.attached).toBe(false);
    expect(started.workflowId).toMatch(/^backfill\/GLBX\.MDP3\/ohlcv-1d\/300 symbols fnv1a64:[0-9a-f]{16}\/2025-01-01\/2025-02-01$/);

    const again = await runCli(args([...symbols].reverse()), env, 60_000);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ workflowId: started.workflowId, attached: true });

    const handle = client.workflow.getHandle(started.workflowId);
    const description = await handle.describe();
    expect((description.memo?.request as { symbols: string[] }).symbols).toEqual(symbols);
    const summary = await description.staticSummary();
    expect(summary).toMatch(/^backfill S0,S1,.* \+\d+ more ohlcv-1d 2025-01-01\.\.2025-02-01 \(budget USD 0\)$/);
    await handle.terminate('test done');
  });
});
