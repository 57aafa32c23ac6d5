/**
 * `npm run demo`: the main job end to end on this machine, with no internet.
 * Started by scripts/demo.sh, which installs what is missing. Starts the Temporal dev server (with its Web UI), the local Databento gateway over the
 * recorded data, a worker; applies the schedules; backfills ZL.c.0 ohlcv-1d 2010-06-06..2026-08-12 into DuckDB;
 * builds features, publishes a forecast; prints a summary and where to look.
 * On a terminal it then keeps the UI and worker up until Ctrl-C; with CI=true or --exit it stops everything and exits.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createWarehouseFromEnv } from '../warehouse/warehouse';
import type { ConnectionLike } from '@temporalio/client';
import { type PipelineClient, backfillStatus, connectPipelineClient, startBackfill } from '../client/pipeline-client';
import { renderProgressLine } from '../cli/render-progress';
import { type Env, parseEnv, repoRoot } from '../config/env';
import type { BackfillInput, BackfillResult } from '../domain/series';
import { GATEWAY_FRED_TEST_KEY, GATEWAY_TEST_KEY, type Gateway, startGateway } from '../gateway/start-gateway';
import { freePort } from '../local/free-port';
import { type DevServer, startTemporalDevServer } from '../local/temporal-dev-server';
import { describeError } from '../logging/errors';
import { createLogger } from '../logging/logger';
import { type PipelineWorkers, createPipelineWorkers } from '../workers/create-workers';

const exitWhenDone = process.argv.includes('--exit') || process.env.CI === 'true' || !process.stdout.isTTY;
const say = (line = '') => process.stdout.write(`${line}\n`);

async function portOr(preferred: number): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => freePort().then(resolve));
    s.listen(preferred, '127.0.0.1', () => s.close(() => resolve(preferred)));
  });
}

/** The Temporal dev server (with its Web UI), the local Databento gateway over the recordings, a worker and a client. */
async function startLocalStack(base: Env, stateDir: string) {
  const grpcPort = await portOr(7233);
  const uiPort = await portOr(grpcPort === 7233 ? 8233 : await freePort());
  say(`▶ starting Temporal dev server (gRPC ${grpcPort}, Web UI ${uiPort}, SQLite .data/temporal.sqlite)`);
  const server = await startTemporalDevServer({
    port: grpcPort,
    uiPort,
    dbFilename: path.join(stateDir, 'temporal.sqlite'),
    logFile: path.join(stateDir, 'temporal.log'),
  });
  say('▶ starting the local Databento gateway over the recordings');
  const apiKey = base.DATABENTO_API_KEY ?? GATEWAY_TEST_KEY;
  const fredApiKey = base.FRED_API_KEY ?? GATEWAY_FRED_TEST_KEY;
  const gateway = await startGateway({ dataDir: base.MARKET_DATA_DIR, port: 0, apiKey, fredApiKey });
  const env = parseEnv({
    ...process.env,
    TEMPORAL_ADDRESS: server.address,
    DATABENTO_BASE_URL: gateway.url,
    DATABENTO_API_KEY: apiKey,
    FRED_BASE_URL: gateway.url,
    FRED_API_KEY: fredApiKey,
  });
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', name: 'demo' });
  say(`▶ starting a worker (task queue ${env.TEMPORAL_TASK_QUEUE}); DuckDB ${path.relative(repoRoot, env.DUCKDB_PATH)}; chunks ${path.relative(repoRoot, env.DATA_DIR)}`);
  const workers = await createPipelineWorkers({ env, logger });
  const running = workers.run();
  const client = await connectPipelineClient(env);
  return { server, gateway, env, workers, running, client };
}

/** The live progress poll of the demo; stop() returns once no poll is in flight any more. */
export interface StatusPoller {
  stop(): Promise<void>;
}

/**
 * Runs `poll` every `everyMs`, one at a time (a slow query never piles up polls); a failed poll is ignored.
 * stop() waits for the poll in flight, cancelling its calls if it takes longer than `graceMs`. The client must not
 * be closed before: a call still open when the server stops gets UNAVAILABLE, the client's retry interceptor
 * retries it on a timer, and on a closed channel grpc-js throws `Channel has been shut down` from that timer,
 * an uncaught exception that turned a successful demo into exit 1.
 */
export function startStatusPoller(connection: Pick<ConnectionLike, 'withAbortSignal'>, poll: () => Promise<void>, everyMs = 1000, graceMs = 5000): StatusPoller {
  let stopped = false;
  // one signal per poll: the connection adds an abort listener per call and never removes it
  let current = new AbortController();
  let inFlight: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    current = new AbortController();
    inFlight = connection
      .withAbortSignal(current.signal, poll)
      .catch(() => undefined)
      .then(() => {
        if (!stopped) timer = setTimeout(tick, everyMs);
      });
  };
  timer = setTimeout(tick, everyMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      const grace = setTimeout(() => current.abort(new Error('demo stopping: progress poll cancelled')), graceMs);
      await inFlight;
      clearTimeout(grace);
    },
  };
}

export interface LocalStack {
  server: Pick<DevServer, 'stop'>;
  gateway: Pick<Gateway, 'close'>;
  workers: Pick<PipelineWorkers, 'shutdown' | 'close'>;
  running: Promise<void>;
  client: Pick<PipelineClient, 'close'>;
}

/**
 * Stops what startLocalStack started, each part once nothing uses it any more: the progress poll (its queries need
 * the workers and the server), then the client (no call of it left in flight), the workers, the gateway they
 * downloaded from, and last the server.
 */
export async function stopLocalStack(stack: LocalStack, poller?: StatusPoller): Promise<void> {
  await poller?.stop();
  await stack.client.close();
  stack.workers.shutdown();
  await stack.running.catch(() => undefined);
  await stack.workers.close();
  await stack.gateway.close();
  await stack.server.stop();
}

interface DemoRun {
  env: Env;
  result: BackfillResult;
  gateway: Gateway;
  server: DevServer;
  workflowId: string;
  runId: string;
  started: number;
}

/** ZL.c.0 rows in the bar table and loaded chunks in the ledger. */
async function loadedCounts(env: Env): Promise<{ rows: number; ledgerLoaded: number }> {
  const warehouse = await createWarehouseFromEnv(env);
  try {
    const [r] = await warehouse.query<{ n: string }>("select count(*) as n from market_data.databento_futures_ohlcv_1d where symbol = 'ZL.c.0'");
    const ledger = await warehouse.ledger({ series: 'GLBX.MDP3/ohlcv-1d/ZL.c.0' });
    return { rows: Number(r.n), ledgerLoaded: ledger.filter((x) => x.status === 'loaded').length };
  } finally {
    await warehouse.close();
  }
}

/** Reads what the backfill loaded and prints the summary and where to look. */
async function printSummary(run: DemoRun): Promise<void> {
  const { env, result, gateway, server } = run;
  const { rows, ledgerLoaded } = await loadedCounts(env);
  const chunks = result.series.flatMap((s) => s.chunks);
  say();
  say('══ summary ══════════════════════════════════════════════════════════════');
  say(`ZL.c.0 rows in market_data.databento_futures_ohlcv_1d : ${rows}`);
  say(`loaded chunks in ops.ingest_ledger                    : ${ledgerLoaded} (this run: ${chunks.filter((c) => c.state === 'loaded').length} loaded, ${chunks.filter((c) => c.state === 'skipped').length} already loaded)`);
  say(`get_range requests this run                           : ${gateway.stats.getRange.requests} (${(gateway.stats.getRange.bytes / 1e6).toFixed(2)} MB)`);
  say(`quoted cost this run (gateway's own price table)      : $${result.quotedCostUsd.toFixed(6)}`);
  if (result.features) say(`training.daily_ml_matrix                              : ${result.features.rows} rows (${result.features.changed} changed)`);
  if (result.forecast) {
    const metrics = result.forecast.metrics;
    say('walk-forward forecast (expanding window, monthly refit) vs naive baselines:');
    say('  horizon  n      RMSE model  RMSE zero-return  RMSE hist-mean  skill vs RW  dir. acc. model/mean');
    for (const m of metrics) {
      const f = (v: number | null | undefined, d = 5) => (v === null || v === undefined ? 'n/a' : v.toFixed(d));
      say(`  ${String(m.horizon).padStart(3)}d     ${String(m.n).padEnd(6)} ${f(m.rmse).padEnd(11)} ${f(m.rw_rmse).padEnd(17)} ${f(m.mean_rmse).padEnd(15)} ${f(m.skill_vs_rw, 4).padEnd(12)} ${f(m.directional_accuracy, 3)}/${f(m.mean_directional_accuracy, 3)}`);
    }
  }
  say(`Web UI of this run : ${server.uiUrl}/namespaces/${env.TEMPORAL_NAMESPACE}/workflows/${encodeURIComponent(run.workflowId)}/${run.runId}/history`);
  say(`Schedules          : ${server.uiUrl}/namespaces/${env.TEMPORAL_NAMESPACE}/schedules`);
  say(`Query the warehouse: DUCKDB_PATH=${env.DUCKDB_PATH} npm run -s cli -- sql "select * from api.vw_latest_forecast"`);
  say(`done in ${((Date.now() - run.started) / 1000).toFixed(1)} s`);
}

async function main(): Promise<void> {
  const started = Date.now();
  const base = parseEnv();
  const stateDir = path.join(repoRoot, '.data');
  mkdirSync(stateDir, { recursive: true });
  if (!existsSync(path.join(base.MARKET_DATA_DIR, 'PROVENANCE.md'))) {
    throw new Error(`recorded market data not found at ${base.MARKET_DATA_DIR} (set MARKET_DATA_DIR)`);
  }

  const { server, gateway, env, workers, running, client } = await startLocalStack(base, stateDir);

  const stack: LocalStack = { server, gateway, workers, running, client };
  let poller: StatusPoller | undefined;

  try {
    const applyModule = path.join(repoRoot, 'schedules', 'apply-schedules.ts');
    if (existsSync(applyModule)) {
      const { applySchedules } = (await import(applyModule)) as { applySchedules: (c: typeof client.client, o: { taskQueue: string }) => Promise<{ created: string[]; updated: string[] }> };
      const applied = await applySchedules(client.client, { taskQueue: env.TEMPORAL_TASK_QUEUE });
      say(`▶ schedules applied: ${[...applied.created, ...applied.updated].join(', ')}`);
    }

    const request: BackfillInput = {
      dataset: 'GLBX.MDP3',
      schemas: ['ohlcv-1d'],
      symbols: ['ZL.c.0'],
      stypeIn: 'continuous',
      start: '2010-06-06',
      end: '2026-08-12',
      maxCostUsd: 5,
      buildFeatures: true,
    };
    gateway.stats.reset();
    const { handle } = await startBackfill(client, request);
    say(`▶ backfill ${handle.workflowId}`);
    poller = startStatusPoller(client.client.connection, async () => {
      const s = await backfillStatus(client, handle.workflowId);
      if (process.stdout.isTTY) process.stdout.write(`\r  ${renderProgressLine(s)}\x1b[K`);
    });
    const result = await handle.result().finally(() => poller?.stop());
    if (process.stdout.isTTY) say();
    const description = await handle.describe();

    await printSummary({ env, result, gateway, server, workflowId: handle.workflowId, runId: description.runId, started });

    if (!exitWhenDone) {
      say('\nUI and worker stay up; press Ctrl-C to stop.');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    }
  } finally {
    await stopLocalStack(stack, poller);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    () => process.exit(0),
    (err) => {
      // the cause chain first: a failed backfill's stack says only `Workflow execution failed`
      process.stderr.write(`demo failed: ${describeError(err)}\n${err instanceof Error && err.stack ? `${err.stack}\n` : ''}`);
      process.exit(1);
    },
  );
}
