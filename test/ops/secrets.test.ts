import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { WorkflowFailedError } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PipelineClient, connectPipelineClient, startBackfill } from '../../client/pipeline-client';
import { type Env, parseEnv } from '../../config/env';
import { type Gateway, startGateway } from '../../gateway/start-gateway';
import { startTemporalDevServer, type DevServer } from '../../local/temporal-dev-server';
import { createLogger } from '../../logging/logger';
import { createPipelineWorkers, type PipelineWorkers } from '../../workers/create-workers';
import { marketDataDir } from '../support/market-data-dir';
import { productionBundle } from '../../workers/create-workers';
import { placeholderDatabentoKey } from '../../gateway/placeholder-keys';
import { zlBackfill } from '../support/zl-backfill';

// distinctive 32-char keys (db- + 29), so any copy of them anywhere is unmistakable
const API_KEY = placeholderDatabentoKey('secret-canary-7Qx9Zt4Lw2Vn8');
const WRONG_KEY = placeholderDatabentoKey('wrong-canary-3Hj6Pd1Rk5Ms0B');

/** Every form a key could leak in: as is, in an HTTP Basic header, or URL-encoded. */
function leakForms(key: string): string[] {
  return [key, Buffer.from(`${key}:`).toString('base64'), Buffer.from(key).toString('base64'), encodeURIComponent(key)];
}

function findLeaks(text: string): string[] {
  return [API_KEY, WRONG_KEY].flatMap(leakForms).filter((form) => text.includes(form));
}

describe('API keys never reach logs, histories, search attributes or memos', () => {
  let server: DevServer;
  let gateway: Gateway;
  let pc: PipelineClient;
  let env: Env;
  let dir: string;
  const lines: string[] = [];
  const workers: (PipelineWorkers & { done: Promise<void> })[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'secrets-test-'));
    const capture = new Writable({
      write(chunk, _enc, cb) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        cb();
      },
    });
    // everything at debug: the Temporal runtime (routed into pino by installRuntimeLogger), activities, gateway
    const logger = createLogger({ level: 'debug', destination: capture });
    [server, gateway] = await Promise.all([
      startTemporalDevServer({}),
      startGateway({ dataDir: marketDataDir(), port: 0, apiKey: API_KEY, logger: pino({ level: 'debug' }, capture) }),
    ]);
    env = parseEnv({
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_TASK_QUEUE: `secrets-${process.pid}`,
      DATABENTO_API_KEY: API_KEY,
      DATABENTO_BASE_URL: gateway.url,
      WAREHOUSE: 'duckdb',
      DUCKDB_PATH: path.join(dir, 'warehouse.duckdb'),
      DATA_DIR: path.join(dir, 'chunks'),
      MARKET_DATA_DIR: marketDataDir(),
      LOG_LEVEL: 'debug',
    });
    pc = await connectPipelineClient(env);
    const workflowBundle = await productionBundle();
    for (const e of [env, { ...env, TEMPORAL_TASK_QUEUE: `${env.TEMPORAL_TASK_QUEUE}-wrongkey`, DATABENTO_API_KEY: WRONG_KEY }]) {
      const w = await createPipelineWorkers({ env: e, logger, workflowBundle, hostId: e.TEMPORAL_TASK_QUEUE });
      workers.push({ ...w, done: w.run() });
    }
  });

  afterAll(async () => {
    for (const w of workers) w.shutdown();
    await Promise.allSettled(workers.map((w) => w.done));
    await Promise.allSettled(workers.map((w) => w.close()));
    await pc?.close();
    await Promise.allSettled([gateway?.close(), server?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a real backfill, and one refused for a wrong key, leave no trace of either key', async () => {
    const request = zlBackfill('2025-01-01', '2026-01-01');
    const ok = await startBackfill(pc, request);
    const result = await ok.handle.result();
    expect(result.series[0].rowsLoaded).toBeGreaterThan(200);

    // the same request through workers holding a wrong key: the gateway answers 401, the run fails for good
    const refused = await startBackfill({ ...pc, taskQueue: `${env.TEMPORAL_TASK_QUEUE}-wrongkey` }, { ...request, start: '2024-01-01', end: '2025-01-01' });
    const failure = await refused.handle.result().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(JSON.stringify(failure, Object.getOwnPropertyNames(failure))).toMatch(/Authorization failed|DATABENTO_AUTH|401/);

    // the logs saw the work (so the check below is not vacuous) ...
    expect(lines.some((l) => l.includes('chunk loaded'))).toBe(true);
    expect(lines.some((l) => l.includes('"component":"temporal"'))).toBe(true);
    expect(lines.length).toBeGreaterThan(20);
    // ... and never a key
    const leakingLines = lines.filter((l) => findLeaks(l).length > 0);
    expect(leakingLines).toEqual([]);

    // every execution on the server: both parents, the child (the refused run failed at its quote, before any child)
    const expected = [ok.handle.workflowId, `${ok.handle.workflowId}/ohlcv-1d/ZL.c.0`, refused.handle.workflowId].sort();
    const executions = await (async () => {
      for (let i = 0; ; i++) {
        const found: { workflowId: string; runId: string }[] = [];
        for await (const wf of pc.client.workflow.list()) found.push({ workflowId: wf.workflowId, runId: wf.runId });
        if (expected.every((id) => found.some((f) => f.workflowId === id)) || i > 50) return found;
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    expect([...new Set(executions.map((e) => e.workflowId))].sort()).toEqual(expected);
    for (const { workflowId, runId } of executions) {
      const handle = pc.client.workflow.getHandle(workflowId, runId);
      const history = historyToJSON(await handle.fetchHistory());
      expect(history.length).toBeGreaterThan(500);
      expect(findLeaks(history), `history of ${workflowId}`).toEqual([]);
      const d = await handle.describe();
      const visible = JSON.stringify({ memo: d.memo ?? null, searchAttributes: d.searchAttributes, typed: d.typedSearchAttributes, summary: await d.staticSummary?.() });
      expect(findLeaks(visible), `memo/search attributes of ${workflowId}`).toEqual([]);
    }
  });
});
