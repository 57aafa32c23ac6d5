import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBackfill } from '../../client/pipeline-client';
import type { BackfillInput, SeriesKey } from '../../domain/series';
import type { DailyIngestResult, dailyIngest } from '../../workflows/daily-ingest';
import type { OhlcvRecording } from '../../recordings';
import { readNqOhlcv1h, readZlDaily } from '../../recordings';
import { createWarehouseFromEnv } from '../../warehouse/warehouse';
import { marketDataDir } from '../support/market-data-dir';
import { nqHourlyBackfill } from '../support/nq-backfill';
import { type PipelineHarness, startPipelineHarness } from '../support/pipeline-harness';
import { zlBackfill } from '../support/zl-backfill';

/**
 * Model-based: seeded random sequences of backfills with overlapping and nested ranges over the real NQ.FUT ohlcv-1h
 * and ZL.c.0 ohlcv-1d recordings, some with a connection reset injected mid-download, some cancelled mid-way. After
 * every step the warehouse must equal the recording restricted to the union of the requests completed so far (and
 * whatever chunks a cancelled run loaded, which must lie within what it asked), with no duplicate key; the ledger's
 * loaded coverage must be exactly what is in the table; and the get_range requests must be the gaps the model expects
 * (plus at most one per injected fault). The model below is written independently of the pipeline's planner: days as a set.
 *
 * Some steps are a scheduled daily ingest instead: from the last loaded end to the end of the symbol's data.
 * Some steps run on a full chunk store (a 64 KiB tmpfs: no request may be made) and, with MODEL_KILLS=1 (soak runs),
 * some SIGKILL the worker mid-download.
 *
 * MODEL_SEQUENCES (default 3) and MODEL_STEPS (default 8) set how much runs; MODEL_SEED fixes the first seed. Each
 * sequence prints its seed; a failure names it, and MODEL_SEED=<seed> MODEL_SEQUENCES=1 replays it.
 */
const SEQUENCES = Number(process.env.MODEL_SEQUENCES ?? 3);
const STEPS = Number(process.env.MODEL_STEPS ?? 8);
const FIRST_SEED = Number(process.env.MODEL_SEED ?? Date.now() % 1_000_000);

const DAY_MS = 86_400_000;
const dayOf = (iso: string) => Math.floor(Date.parse(iso) / DAY_MS);
const isoDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

interface ModelSeries {
  name: string;
  table: string;
  ledgerSeries: string;
  key: SeriesKey;
  /** the days requests are drawn from, [first, last) */
  window: [string, string];
  request: (start: string, end: string) => BackfillInput;
  read: (dataDir: string) => Promise<OhlcvRecording>;
}

const MODEL_SERIES: ModelSeries[] = [
  {
    name: 'NQ.FUT ohlcv-1h',
    table: 'market_data.databento_futures_ohlcv_1h',
    ledgerSeries: 'GLBX.MDP3/ohlcv-1h/NQ.FUT',
    key: { dataset: 'GLBX.MDP3', schema: 'ohlcv-1h', symbol: 'NQ.FUT', stypeIn: 'parent' },
    window: ['2024-10-01', '2025-04-01'],
    request: nqHourlyBackfill,
    read: readNqOhlcv1h,
  },
  {
    name: 'ZL.c.0 ohlcv-1d',
    table: 'market_data.databento_futures_ohlcv_1d',
    ledgerSeries: 'GLBX.MDP3/ohlcv-1d/ZL.c.0',
    key: { dataset: 'GLBX.MDP3', schema: 'ohlcv-1d', symbol: 'ZL.c.0', stypeIn: 'continuous' },
    window: ['2017-05-01', '2018-05-01'],
    request: (start, end) => zlBackfill(start, end),
    read: readZlDaily,
  },
];

const OP_TEXT = {
  plain: '',
  reset: ' with a reset mid-download',
  cancel: ' cancelled mid-way',
  full: ' on a full chunk store',
  kill: ' with the worker SIGKILLed mid-download',
} as const;
type Op = keyof typeof OP_TEXT;

/** SIGKILL steps wait out the download's heartbeat timeout (20 s) before another worker resumes: soak runs only */
const KILLS = process.env.MODEL_KILLS === '1';

function drawOp(rand: () => number): Op {
  const roll = rand();
  if (roll < 0.2) return 'reset';
  if (roll < 0.33) return 'cancel';
  if (roll < 0.43) return 'full';
  if (KILLS && roll < 0.53) return 'kill';
  return 'plain';
}

/**
 * The worker: in this process, on the harness's chunk store; for a disk-full step on a 64 KiB tmpfs; for a SIGKILL
 * step in a process of its own, killed mid-download and replaced.
 */
class ModelWorkers {
  private current: Awaited<ReturnType<PipelineHarness['startWorkers']>> | null = null;
  private tinyStore: string | null = null;

  constructor(private readonly h: PipelineHarness) {}

  async start(dataDir?: string): Promise<void> {
    this.current = await this.h.startWorkers(dataDir ? { DATA_DIR: dataDir, hostId: 'tiny' } : {});
  }

  async stop(): Promise<void> {
    this.current?.shutdown();
    await this.current?.done;
    this.current = null;
  }

  /** a 64 KiB tmpfs (the tests run as root, as CI does); unmounted by close() */
  tiny(): string {
    if (!this.tinyStore) {
      this.tinyStore = path.join(this.h.dir, 'tiny');
      mkdirSync(this.tinyStore, { recursive: true });
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', this.tinyStore]);
    }
    return this.tinyStore;
  }

  async close(): Promise<void> {
    await this.stop();
    if (this.tinyStore) execFileSync('umount', ['-l', this.tinyStore]);
  }
}

/** sets the gateway's fault switches for get_range only (clears them with {}) */
function setFaults(h: PipelineHarness, faults: { resetAfterBytes?: { bytes: number; count: number }; slowBody?: { bytesPerSecond: number } }): void {
  h.gateway.faults.resetAfterBytes = faults.resetAfterBytes;
  h.gateway.faults.slowBody = faults.slowBody;
  h.gateway.faults.onlyPaths = faults.resetAfterBytes || faults.slowBody ? ['/v0/timeseries.get_range'] : undefined;
}

/** mulberry32: a small seeded generator, so a failing sequence can be replayed from its seed */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** a request: narrow (days), medium (weeks) or wide (months), anywhere in the window */
function drawRange(rand: () => number, [first, last]: [string, string]): [number, number] {
  const [lo, hi] = [dayOf(first), dayOf(last)];
  const kind = rand();
  const length = Math.max(1, Math.round(kind < 0.4 ? 1 + rand() * 6 : kind < 0.7 ? 7 + rand() * 40 : 40 + rand() * 160));
  const start = lo + Math.floor(rand() * Math.max(1, hi - lo - length));
  return [start, Math.min(hi, start + length)];
}

/** the uncovered days of [a, b), as runs split at half-years: the requests the pipeline should make */
function expectedGaps(covered: Set<number>, a: number, b: number): number {
  let gaps = 0;
  let open = false;
  for (let d = a; d < b; d++) {
    const date = new Date(d * DAY_MS);
    const halfYearStarts = date.getUTCDate() === 1 && (date.getUTCMonth() === 0 || date.getUTCMonth() === 6);
    if (covered.has(d)) open = false;
    else {
      if (!open || halfYearStarts) gaps++;
      open = true;
    }
  }
  return gaps;
}

/** maximal runs of covered days, as [start, end) ISO days */
function runsOf(covered: Set<number>): [string, string][] {
  const days = [...covered].sort((x, y) => x - y);
  const runs: [string, string][] = [];
  for (const d of days) {
    const last = runs.at(-1);
    if (last && dayOf(last[1]) === d) last[1] = isoDay(d + 1);
    else runs.push([isoDay(d), isoDay(d + 1)]);
  }
  return runs;
}

/** rows and volume per year of the recording on the covered days */
function expectedByYear(rec: OhlcvRecording, covered: Set<number>): Map<string, { n: number; volume: bigint }> {
  const out = new Map<string, { n: number; volume: bigint }>();
  for (let i = 0; i < rec.columns.length; i++) {
    const ms = Number(rec.columns.ts_event[i] / 1_000_000n);
    if (!covered.has(Math.floor(ms / DAY_MS))) continue;
    const year = new Date(ms).getUTCFullYear().toString();
    const y = out.get(year) ?? { n: 0, volume: 0n };
    y.n++;
    y.volume += rec.columns.volume[i];
    out.set(year, y);
  }
  return out;
}

async function warehouseState(h: PipelineHarness, s: ModelSeries) {
  const w = await createWarehouseFromEnv(h.env);
  try {
    const years = await w.query<{ year: string; n: string; volume: string }>(
      `select cast(extract(year from ts_event) as varchar) as year, count(*) as n, cast(sum(volume) as varchar) as volume from ${s.table} group by 1`,
    );
    const [{ dup }] = await w.query<{ dup: string }>(`select count(*) - count(distinct (instrument_id, ts_event)) as dup from ${s.table}`);
    const loaded = (await w.ledger({ series: s.ledgerSeries })).filter((r) => r.status === 'loaded');
    const days = new Set<number>();
    // requests are whole days, so every loaded range is too
    for (const r of loaded) for (let d = dayOf(r.start); d < dayOf(r.end); d++) days.add(d);
    const byYear = new Map(years.map((y) => [y.year, { n: Number(y.n), volume: BigInt(y.volume ?? '0') }]));
    return { byYear, duplicates: Number(dup), ledgerDays: days };
  } finally {
    await w.close();
  }
}

/** one step's run; true when it completed, false when it was cancelled or failed as the step intends */
async function runStep(h: PipelineHarness, workers: ModelWorkers, op: Op, request: BackfillInput, rand: () => number): Promise<boolean> {
  if (op === 'reset') setFaults(h, { resetAfterBytes: { bytes: 200 + Math.floor(rand() * 4000), count: 1 } });
  if (op === 'cancel' || op === 'kill') setFaults(h, { slowBody: { bytesPerSecond: 100_000 } });
  if (op === 'full') {
    await workers.stop();
    await workers.start(workers.tiny());
  }
  let killed: ChildProcess | null = null;
  if (op === 'kill') {
    await workers.stop();
    killed = await h.spawnWorker();
  }
  try {
    const { handle } = await startBackfill(h.client, { ...request, maxCostUsd: 1000 });
    if (op === 'cancel' || op === 'kill') await new Promise((r) => setTimeout(r, 300 + rand() * 1200));
    if (op === 'cancel') await handle.cancel();
    if (killed) {
      killed.kill('SIGKILL');
      setFaults(h, {});
      await workers.start();
    }
    const failure = await handle.result().then(() => null, (e: unknown) => e);
    if (failure && op !== 'cancel' && !(op === 'full' && String(rootCause(failure)) === 'ChunkStoreFull')) throw failure;
    return failure === null;
  } finally {
    setFaults(h, {});
    if (op === 'full') {
      await workers.stop();
      await workers.start();
    }
  }
}

function rootCause(err: unknown): string | undefined {
  let e = err as { cause?: unknown; type?: string };
  while (e.cause) e = e.cause as typeof e;
  return e.type;
}

/** the share of steps that are a scheduled daily ingest of a series instead of a backfill */
const DAILY_SHARE = 0.12;

/** A daily ingest of one series, as the schedule starts it (no FRED, no features): its plan and result. */
async function runDaily(h: PipelineHarness, series: SeriesKey, workflowId: string): Promise<DailyIngestResult['series'][number]> {
  const result = await h.client.client.workflow.execute<typeof dailyIngest>('dailyIngest', {
    taskQueue: h.client.taskQueue,
    workflowId,
    args: [{ series: [series], maxCostUsd: 1000, buildFeatures: false }],
  });
  return result.series[0];
}

/** every series of the model: the warehouse against the recording on the covered days, and the ledger */
async function expectExact(h: PipelineHarness, recordings: OhlcvRecording[], covered: Set<number>[], context: string): Promise<void> {
  for (const [j, m] of MODEL_SERIES.entries()) {
    const state = await warehouseState(h, m);
    const expected = expectedByYear(recordings[j], covered[j]);
    expect(state.duplicates, `${context}\n${m.name}: duplicate keys`).toBe(0);
    expect(Object.fromEntries(state.byYear), `${context}\n${m.name}: rows and volume per year`).toEqual(Object.fromEntries(expected));
    expect(runsOf(state.ledgerDays), `${context}\n${m.name}: the ledger's loaded coverage`).toEqual(runsOf(covered[j]));
  }
}

describe('request sequences (model-based) over the real recordings', () => {
  let h: PipelineHarness | undefined;
  let closeWorkers: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await closeWorkers?.();
    await h?.stop();
    h = undefined;
    closeWorkers = undefined;
  });

  for (let k = 0; k < SEQUENCES; k++) {
    const seed = FIRST_SEED + k;
    it(`sequence ${k + 1} of ${SEQUENCES} (MODEL_SEED=${seed}, ${STEPS} steps): warehouse = recording on the union of completed requests`, async () => {
      const rand = random(seed);
      h = await startPipelineHarness({ taskQueue: `model-${seed}` });
      const workers = new ModelWorkers(h);
      closeWorkers = () => workers.close();
      await workers.start();
      const recordings = await Promise.all(MODEL_SERIES.map((s) => s.read(marketDataDir())));
      const covered = MODEL_SERIES.map(() => new Set<number>());
      const log: string[] = [];
      for (let step = 0; step < STEPS; step++) {
        const i = Math.floor(rand() * MODEL_SERIES.length);
        const s = MODEL_SERIES[i];
        if (rand() < DAILY_SHARE) {
          h.gateway.stats.reset();
          const daily = await runDaily(h, s.key, `daily/model-${seed}/${step}`);
          log.push(`step ${step + 1}: ${s.name} daily ingest: ${daily.status} [${daily.from}, ${daily.to}), ${daily.chunks.length} slice(s)`);
          const context = `seed ${seed}\n${log.join('\n')}`;
          expect(h.gateway.stats.getRange.requests, `${context}\none request per slice with records`).toBe(daily.status === 'loaded' ? daily.chunks.length : 0);
          if (daily.status === 'loaded') {
            // the plan says where the increment ends (the symbol's own data may end before the dataset's)
            expect(daily.from && daily.to && daily.to.endsWith('T00:00:00Z'), `${context}\nday-aligned increment`).toBeTruthy();
            for (let d = dayOf(daily.from!); d < dayOf(daily.to!); d++) covered[i].add(d);
          }
          await expectExact(h, recordings, covered, context);
          continue;
        }
        const [a, b] = drawRange(rand, s.window);
        const op = drawOp(rand);
        const gaps = expectedGaps(covered[i], a, b);
        log.push(`step ${step + 1}: ${s.name} [${isoDay(a)}, ${isoDay(b)})${OP_TEXT[op]}, ${gaps} gap(s)`);
        const context = `seed ${seed}\n${log.join('\n')}`;
        h.gateway.stats.reset();
        const finished = await runStep(h, workers, op, s.request(isoDay(a), isoDay(b)), rand);
        const requests = h.gateway.stats.getRange.requests;
        if (op === 'full') {
          expect(requests, `${context}\nno request into a full store`).toBe(0);
          expect(finished, context).toBe(gaps === 0);
        } else if (op !== 'cancel') {
          expect(requests, context).toBeGreaterThanOrEqual(gaps);
          expect(requests, context).toBeLessThanOrEqual(gaps + (op === 'reset' || op === 'kill' ? 1 : 0));
        }
        if (finished) for (let d = a; d < b; d++) covered[i].add(d);
        else {
          // a cancelled run may have loaded some of its chunks: the ledger may cover more than the completed requests,
          // never anything outside what was asked
          const ledgerDays = (await warehouseState(h, s)).ledgerDays;
          for (const d of covered[i]) expect(ledgerDays.has(d), `${context}\n${s.name}: loaded day ${isoDay(d)} lost`).toBe(true);
          for (const d of ledgerDays) expect(covered[i].has(d) || (d >= a && d < b), `${context}\n${s.name}: day ${isoDay(d)} loaded but never asked`).toBe(true);
          covered[i] = ledgerDays;
        }

        await expectExact(h, recordings, covered, context);
      }
      console.log(`model sequence seed ${seed}: ${STEPS} steps exact\n  ${log.join('\n  ')}`);
    });
  }
});
