import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { type PipelineClient, connectPipelineClient } from '../../client/pipeline-client';
import { type Env, parseEnv } from '../../config/env';
import { type Gateway, GATEWAY_FRED_TEST_KEY, GATEWAY_TEST_KEY, startGateway } from '../../gateway/start-gateway';
import { startTemporalDevServer, type DevServer } from '../../local/temporal-dev-server';
import { createLogger } from '../../logging/logger';
import { createPipelineWorkers, type PipelineWorkers, productionBundle } from '../../workers/create-workers';
import { marketDataDir, repoRoot } from './market-data-dir';

export interface PipelineHarness {
  server: DevServer;
  gateway: Gateway;
  env: Env;
  dir: string;
  client: PipelineClient;
  bundle: WorkflowBundleWithSourceMap;
  /** an in-process worker pair (shared + host queue) */
  startWorkers(overrides?: Partial<Env> & { hostId?: string }): Promise<PipelineWorkers & { done: Promise<void> }>;
  /** a worker in its own process (so a test can SIGKILL it) */
  spawnWorker(overrides?: Record<string, string>): Promise<ChildProcess>;
  stop(): Promise<void>;
}

export async function startPipelineHarness(opts: { taskQueue?: string } = {}): Promise<PipelineHarness> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pipeline-test-'));
  const dataDir = marketDataDir();
  const [server, gateway, bundle] = await Promise.all([startTemporalDevServer({}), startGateway({ dataDir, port: 0 }), productionBundle()]);
  const env = parseEnv({
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_TASK_QUEUE: opts.taskQueue ?? `test-${process.pid}`,
    DATABENTO_API_KEY: GATEWAY_TEST_KEY,
    DATABENTO_BASE_URL: gateway.url,
    FRED_API_KEY: GATEWAY_FRED_TEST_KEY,
    FRED_BASE_URL: gateway.url,
    WAREHOUSE: 'duckdb',
    DUCKDB_PATH: path.join(dir, 'warehouse.duckdb'),
    DATA_DIR: path.join(dir, 'chunks'),
    MARKET_DATA_DIR: dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
  });
  const client = await connectPipelineClient(env);
  const running: (PipelineWorkers & { done: Promise<void> })[] = [];
  const children: ChildProcess[] = [];
  const logger = createLogger({ level: env.LOG_LEVEL, pretty: false });

  return {
    server,
    gateway,
    env,
    dir,
    client,
    bundle,
    async startWorkers(overrides = {}) {
      const { hostId, ...envOverrides } = overrides;
      const workers = await createPipelineWorkers({ env: { ...env, ...envOverrides }, logger, hostId, workflowBundle: bundle });
      const done = workers.run();
      const entry = { ...workers, done };
      running.push(entry);
      return entry;
    },
    async spawnWorker(overrides = {}) {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'workers', 'main.ts')], {
        cwd: repoRoot,
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS,
          TEMPORAL_TASK_QUEUE: env.TEMPORAL_TASK_QUEUE,
          DATABENTO_API_KEY: GATEWAY_TEST_KEY,
          DATABENTO_BASE_URL: gateway.url,
          FRED_API_KEY: GATEWAY_FRED_TEST_KEY,
          FRED_BASE_URL: gateway.url,
          WAREHOUSE: 'duckdb',
          DUCKDB_PATH: env.DUCKDB_PATH,
          DATA_DIR: env.DATA_DIR,
          MARKET_DATA_DIR: dataDir,
          LOG_LEVEL: 'info',
          ...overrides,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`worker did not start in 90 s:\n${out}`)), 90_000);
        const onData = (d: Buffer) => {
          out += d.toString();
          if (out.includes('workers ready')) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout?.on('data', onData);
        child.stderr?.on('data', onData);
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`worker exited (${code}) before it was ready:\n${out}`));
        });
      });
      return child;
    },
    async stop() {
      for (const w of running) w.shutdown();
      await Promise.allSettled(running.map((w) => w.done));
      await Promise.allSettled(running.map((w) => w.close()));
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await client.close();
      await Promise.allSettled([gateway.close(), server.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
