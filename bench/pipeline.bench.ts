/**
 * `npm run bench:pipeline`: orchestration overhead. Runs the ZL.c.0 ohlcv-1d 2010-06-06..2026-08-12 backfill
 * (34 chunks: quote, download, validate, load, roll calendar) through Temporal (dev server + worker) and with the same
 * activity functions called directly in one process in the same order (as ingestSeries: chunks in batches, a batch's
 * load queued behind the previous one while the next batch is fetched), each on a fresh
 * chunk store and DuckDB; prints both times, the ratio, a plain sequential loop of the same activities for reference,
 * the CPU each side used (this process and the dev server), and where the last Temporal run's time
 * went.
 * The two sides run in pairs, alternating which goes first. Each Temporal run gets a fresh worker (workflows bundled
 * once, as a deployed worker's are at start-up) whose workflow sandbox is warmed first, as a long-running worker's is.
 * Run with --expose-gc (the npm script does) to start every timed run on a collected heap.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ChunkStore } from '../chunk-store/chunk-store';
import { HistoricalClient } from '../databento/historical-client';
import { createActivities } from '../activities/create-activities';
import { databentoPort } from '../activities/databento-port';
import { createWarehouseFromEnv } from '../warehouse/warehouse';
import { connectPipelineClient, startBackfill } from '../client/pipeline-client';
import { type Env, parseEnv, repoRoot } from '../config/env';
import type { SeriesKey } from '../domain/series';
import { GATEWAY_TEST_KEY, startGateway } from '../gateway/start-gateway';
import { startTemporalDevServer } from '../local/temporal-dev-server';
import { createLogger } from '../logging/logger';
import { ingestSeries } from '../workflows/ingest-series';
import { DEFAULT_CHUNK_BATCH, batchChunks } from '../domain/chunk-batches';
import { createPipelineWorkers, productionBundle } from '../workers/create-workers';
import { ZL_FULL } from '../test/support/zl-backfill';
import { historyBreakdown } from './history-breakdown';
import { meterCpu } from './cpu-meter';
import { machineLine } from './machine';
import { median } from './median';

// this machine's speed drifts by 20% or more from minute to minute, and single pairs differ by as much: 7 pairs gave
// printed figures 20 points apart between invocations of the same code
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
// the plain sequential loop is only a reference figure, and takes longer than both timed sides together
const REFERENCE_EVERY = Math.max(1, Math.ceil(RUNS / Number(process.env.BENCH_REFERENCE_RUNS ?? 3)));
const request = ZL_FULL;
const series: SeriesKey = { dataset: 'GLBX.MDP3', schema: 'ohlcv-1d', symbol: 'ZL.c.0', stypeIn: 'continuous' };

// --expose-gc: each timed run starts on a collected heap, so neither side pays for the garbage of the run before it
const gc = (globalThis as { gc?: () => void }).gc;
const collectGarbage = (): void => gc?.();

/** what the runs share: the gateway, the dev server, the bundled workflows, and a fresh store and DuckDB per run */
interface BenchContext {
  logger: ReturnType<typeof createLogger>;
  bundle: Awaited<ReturnType<typeof productionBundle>>;
  serverPid: number;
  fresh: () => { dir: string; env: Env };
  rowsIn: (env: Env) => Promise<number>;
}

/** each side's times (ms) and CPU (seconds: this process and the dev server) */
interface Figures {
  direct: number[];
  sequential: number[];
  temporal: number[];
  directCpu: { own: number; others: number }[];
  temporalCpu: { own: number; others: number }[];
  chunkCount: number;
  breakdown: string[];
}

/**
 * The same activity functions in this process, in the workflow's order (the next batch fetched while the current one
 * loads: the like-for-like baseline) or as a plain sequential loop.
 */
async function runDirect(b: BenchContext, f: Figures, order: 'pipelined' | 'sequential', run: number): Promise<void> {
  const { dir, env } = b.fresh();
  const client = HistoricalClient.fromEnv(env);
  const acts = createActivities({
    env,
    logger: b.logger,
    databento: databentoPort(client),
    store: new ChunkStore(env.DATA_DIR),
    openWarehouse: () => createWarehouseFromEnv(env),
    hostTaskQueue: 'direct',
  });
  const ctx = new MockActivityEnvironment();
  // activities heartbeat and read their context, so each call runs inside a mock activity context
  const inActivity = <A, R>(fn: (a: A) => Promise<R>, arg: A): Promise<R> => ctx.run(fn as never, arg as never) as Promise<R>;
  collectGarbage();
  const cpu = meterCpu([b.serverPid]);
  const t0 = performance.now();
  const { chunks } = await inActivity(acts.quoteSeries, { series, start: request.start as string, end: request.end as string });
  f.chunkCount = chunks.length;
  const fetchBatch = (batch: typeof chunks) => inActivity(acts.fetchChunks, { series, chunks: batch.map((chunk) => ({ chunk, approvedCostUsd: chunk.costUsd })) });
  const loadBatch = async (fetching: ReturnType<typeof fetchBatch>) => {
    const ok = (await fetching).filter((f) => f.validation.ok);
    if (ok.length) await inActivity(acts.loadChunks, { series, chunks: ok.map((f) => ({ chunk: f.ref, validationSummary: f.validation.summary })) });
  };
  if (order === 'sequential') {
    for (const chunk of chunks) await loadBatch(fetchBatch([chunk]));
  } else {
    // as ingestSeries: chunks in batches (batchChunks); a batch's load starts once it is fetched, beside the
    // previous batch's load (the activities run one load of a series at a time), while the next batch is fetched
    const batches = batchChunks(chunks.filter((c) => !c.alreadyLoaded));
    let fetching: ReturnType<typeof fetchBatch> | null = null;
    let previous: Promise<void> | null = null;
    for (let i = 0; i < batches.length; i++) {
      const current = loadBatch(fetching ?? fetchBatch(batches[i]));
      current.catch(() => undefined);
      fetching = i + 1 < batches.length ? fetchBatch(batches[i + 1]) : null;
      if (previous) await previous;
      previous = current;
    }
    await previous;
  }
  await inActivity(acts.updateRollCalendar, { series });
  const ms = performance.now() - t0;
  if (order === 'pipelined') {
    f.directCpu.push(cpu());
  }
  (order === 'pipelined' ? f.direct : f.sequential).push(ms);
  const rows = await b.rowsIn(env);
  await client.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(`direct ${order.padEnd(10)} run ${run + 1}: ${(ms / 1000).toFixed(2)} s, ${rows} rows`);
}

/** Through Temporal: the backfill workflow, its child workflow and a fresh (warmed) worker. */
async function runTemporal(b: BenchContext, f: Figures, run: number): Promise<void> {
  const { dir, env } = b.fresh();
  const workers = await createPipelineWorkers({ env, logger: b.logger, workflowBundle: b.bundle });
  const running = workers.run();
  const client = await connectPipelineClient(env);
  // a deployed worker runs for days: initialise this fresh worker's workflow sandbox (~100 ms on the first
  // workflow task) with a series of no chunks, which ends in its first task without any activity
  await client.client.workflow.execute(ingestSeries, {
    taskQueue: client.taskQueue,
    workflowId: `bench-warmup-${process.pid}-${run}`,
    args: [{ series, chunks: [], approvedCostUsd: {}, chunksPerRun: 1, batch: DEFAULT_CHUNK_BATCH }],
  });
  collectGarbage();
  const started = new Date();
  const cpu = meterCpu([b.serverPid]);
  const t0 = performance.now();
  const { handle } = await startBackfill(client, request);
  await handle.result();
  f.temporal.push(performance.now() - t0);
  f.temporalCpu.push(cpu());
  if (run === RUNS - 1) f.breakdown = await historyBreakdown(client.client, [handle.workflowId, `${handle.workflowId}/ohlcv-1d/ZL.c.0`], started);
  const rows = await b.rowsIn(env);
  await client.client.workflow.getHandle(handle.workflowId).terminate('bench cleanup').catch(() => undefined);
  workers.shutdown();
  await running;
  await workers.close();
  await client.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(`${'temporal'.padEnd(17)} run ${run + 1}: ${(f.temporal.at(-1)! / 1000).toFixed(2)} s, ${rows} rows`);
}

function printSummary(f: Figures): void {
  const d = median(f.direct);
  const t = median(f.temporal);
  console.log(`\nZL.c.0 ohlcv-1d 2010-06-06..2026-08-12, ${f.chunkCount} chunks, ${RUNS} pairs of runs (medians)${gc ? '' : '; without --expose-gc'}`);
  const q = median(f.sequential);
  console.log(`direct activities : ${(d / 1000).toFixed(2)} s (the workflow's order: chunks in batches of up to ${DEFAULT_CHUNK_BATCH.maxChunks}, the next batch's load queued and the one after it fetched during each load)`);
  console.log(`through Temporal  : ${(t / 1000).toFixed(2)} s`);
  console.log(`ratio             : ${(t / d).toFixed(3)} (orchestration overhead ${(((t - d) / d) * 100).toFixed(1)}%; target ≤ 15%)`);
  // each run's Temporal time over the direct time measured just before it: this machine's speed drifts between runs
  const paired = f.temporal.map((x, i) => x / f.direct[i]).sort((a, b) => a - b);
  console.log(`per-run ratios    : median ${median(paired).toFixed(3)}, range ${paired[0].toFixed(3)}–${paired.at(-1)!.toFixed(3)} over ${paired.length} pairs`);
  // the time the Temporal run's CPU (both processes) would take spread perfectly over every core: below the direct
  // time means the cores are not what the overhead waits for
  const cores = availableParallelism();
  const dOwn = median(f.directCpu.map((c) => c.own));
  const dIdle = median(f.directCpu.map((c) => c.others));
  const tOwn = median(f.temporalCpu.map((c) => c.own));
  const tServer = median(f.temporalCpu.map((c) => c.others));
  const floor = (tOwn + tServer) / cores;
  console.log(`CPU (medians)     : direct ${dOwn.toFixed(2)} CPU-s (dev server idle: ${dIdle.toFixed(2)}); through Temporal ${tOwn.toFixed(2)} CPU-s in this process (worker, activities, gateway) + ${tServer.toFixed(2)} in the dev server = ${(tOwn + tServer).toFixed(2)}`);
  console.log(`CPU floor         : that much CPU on ${cores} cores takes at least ${floor.toFixed(2)} s with no waiting at all: ${((floor * 1000) / d).toFixed(3)} × the direct time`);
  console.log(`orchestration CPU : ${(((tOwn + tServer - dOwn) / f.chunkCount) * 1000).toFixed(0)} ms per chunk (worker process ${(((tOwn - dOwn) / f.chunkCount) * 1000).toFixed(0)}, dev server ${((tServer / f.chunkCount) * 1000).toFixed(0)}), running beside each chunk's load`);
  console.log(`for reference     : a plain sequential loop of the same activities takes ${(q / 1000).toFixed(2)} s (${f.sequential.length} runs; Temporal / loop ${(t / q).toFixed(3)})`);
  console.log(`\nwhere the last Temporal run's time went (event timestamps, backfill + ingestSeries runs):`);
  for (const l of f.breakdown) console.log(`  ${l}`);
  console.log(machineLine());
  console.log(`repo: ${repoRoot}`);
}

async function main(): Promise<void> {
  const dataDir = parseEnv().MARKET_DATA_DIR;
  const gateway = await startGateway({ dataDir, port: 0 });
  const server = await startTemporalDevServer({});
  const b: BenchContext = {
    logger: createLogger({ level: 'warn', pretty: false }),
    // a deployed worker bundles its workflows once at start-up: bundling per run would leave webpack's garbage to the
    // collector during the timed runs
    bundle: await productionBundle(),
    serverPid: server.process.pid ?? -1,
    fresh: () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'bench-pipeline-'));
      const env = parseEnv({
        ...process.env,
        TEMPORAL_ADDRESS: server.address,
        TEMPORAL_TASK_QUEUE: `bench-${process.pid}`,
        DATABENTO_API_KEY: GATEWAY_TEST_KEY,
        DATABENTO_BASE_URL: gateway.url,
        WAREHOUSE: 'duckdb',
        DUCKDB_PATH: path.join(dir, 'w.duckdb'),
        DATA_DIR: path.join(dir, 'chunks'),
      });
      return { dir, env };
    },
    rowsIn: async (env) => {
      const w = await createWarehouseFromEnv(env);
      try {
        return Number((await w.query<{ n: string }>('select count(*) as n from market_data.databento_futures_ohlcv_1d'))[0].n);
      } finally {
        await w.close();
      }
    },
  };
  const f: Figures = { direct: [], sequential: [], temporal: [], directCpu: [], temporalCpu: [], chunkCount: 0, breakdown: [] };
  try {
    // warm the gateway's recording cache and the module graph once
    await new HistoricalClient({ apiKey: GATEWAY_TEST_KEY, baseUrl: gateway.url }).metadata.getRecordCount({ dataset: series.dataset, schema: series.schema, stypeIn: series.stypeIn, symbols: ['ZL.c.0'], start: '2010-06-06', end: '2026-08-12' });
    for (let run = 0; run < RUNS; run++) {
      // alternate which side goes first, so a change of the machine's speed within a pair favours neither side
      if (run % 2 === 0) {
        await runDirect(b, f, 'pipelined', run);
        await runTemporal(b, f, run);
      } else {
        await runTemporal(b, f, run);
        await runDirect(b, f, 'pipelined', run);
      }
      if (run % REFERENCE_EVERY === 0) await runDirect(b, f, 'sequential', run);
    }
  } finally {
    await gateway.close();
    await server.stop();
  }
  printSummary(f);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
