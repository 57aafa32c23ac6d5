import { fileURLToPath } from 'node:url';
import { DefaultLogger, type LogLevel, NativeConnection, Runtime, Worker, type WorkerOptions, type WorkflowBundleWithSourceMap, bundleWorkflowCode } from '@temporalio/worker';
import type { Logger } from 'pino';
import { ChunkStore } from '../chunk-store/chunk-store';
import { HistoricalClient } from '../databento/historical-client';
import { createActivities } from '../activities/create-activities';
import { databentoPort } from '../activities/databento-port';
import type { PipelineDeps } from '../activities/deps';
import { createWarehouseFromEnv } from '../warehouse/warehouse';
import type { Env } from '../config/env';
import { runtimeLogLevel } from './runtime-log-level';
import { hostTaskQueue } from './task-queues';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

let bundled: Promise<WorkflowBundleWithSourceMap> | null = null;
/**
 * workflowsPath bundled once per process with the options a worker given workflowsPath uses (no interceptors): tests,
 * replay tests and the bench prebuild with it.
 */
export function productionBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundled ??= bundleWorkflowCode({ workflowsPath, logger: { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} } as never });
  return bundled;
}

let runtimeInstalled = false;

/** Routes the Temporal runtime's and workers' logs into pino (once per process). */
export function installRuntimeLogger(logger: Logger): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const level = (logger.level.toUpperCase() === 'SILENT' ? 'ERROR' : logger.level.toUpperCase()) as LogLevel;
  const temporalLog = logger.child({ component: 'temporal' });
  Runtime.install({
    logger: new DefaultLogger(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'].includes(level) ? level : 'INFO', (entry) => {
      const method = runtimeLogLevel(entry.level, entry.message).toLowerCase() as 'trace' | 'debug' | 'info' | 'warn' | 'error';
      temporalLog[method]({ ...entry.meta }, entry.message);
    }),
  });
}

export interface PipelineWorkers {
  hostTaskQueue: string;
  /** runs both workers until shutdown() */
  run(): Promise<void>;
  shutdown(): void;
  close(): Promise<void>;
}

export interface CreateWorkersOptions {
  env: Env;
  logger: Logger;
  hostId?: string;
  /** a prebuilt bundle (tests build once); otherwise workflowsPath is bundled at start */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** a Databento client to use instead of one from env */
  databento?: HistoricalClient;
}

/**
 * One worker process = a worker on the shared queue (workflows + activities) and one on this host's own
 * queue (activities that read chunk files stored here).
 */
export async function createPipelineWorkers(options: CreateWorkersOptions): Promise<PipelineWorkers> {
  const { env, logger } = options;
  installRuntimeLogger(logger);
  const client = options.databento ?? HistoricalClient.fromEnv(env);
  const hostQueue = hostTaskQueue(env.TEMPORAL_TASK_QUEUE, options.hostId);
  const deps: PipelineDeps = {
    env,
    logger,
    databento: databentoPort(client),
    store: new ChunkStore(env.DATA_DIR),
    openWarehouse: () => createWarehouseFromEnv(env),
    hostTaskQueue: hostQueue,
  };
  const activities = createActivities(deps);
  const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
  const shared = await Worker.create({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    activities,
    // a chunk download streams for minutes; keep a few at once per process
    maxConcurrentActivityTaskExecutions: 8,
    // each waiting poll holds a slot: with the default min(10, slots) pollers none was ever free, so the server's
    // eager dispatch (a download handed back with the workflow task that scheduled it) never happened
    activityTaskPollerBehavior: { type: 'simple-maximum', maximum: 4 },
  });
  const host = await Worker.create({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: hostQueue,
    activities,
    maxConcurrentActivityTaskExecutions: 4,
  });
  logger.info({ taskQueue: env.TEMPORAL_TASK_QUEUE, hostTaskQueue: hostQueue, namespace: env.TEMPORAL_NAMESPACE }, 'workers ready');
  return {
    hostTaskQueue: hostQueue,
    run: async () => {
      await Promise.all([shared.run(), host.run()]);
    },
    shutdown: () => {
      for (const w of [shared, host]) if (w.getState() === 'RUNNING') w.shutdown();
    },
    close: async () => {
      await connection.close();
      if (!options.databento) await client.close();
    },
  };
}
