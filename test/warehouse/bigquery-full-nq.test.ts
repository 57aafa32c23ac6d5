/**
 * The 228,911-bar acceptance on the real BigQuery emulator (goccy v0.8.1), all 32 half-year chunks of the NQ.FUT
 * ohlcv-1h recording, a full reload and overlapping full-year chunks.
 *
 * Why restarts: the emulator's memory grows with every job and is never given back (goccy/googlesqlite#80); its
 * wasm heap is 32-bit and v0.8.1 panics ("slice bounds out of range [-2147483…]") once it passes 2 GiB. Measured on
 * this recording without restarts, one process died after 22 first loads (emulator RSS ~6.5 GiB) and another after
 * 4–7 reloads against the full 229k-row table (RSS ~7 GiB); each job also gets slower as the table grows. With
 * the emulator load path (counts + INSERT from staging, one DROP), sampled after each load and restarting every
 * 3 loads: first loads peaked at ~1.9 GiB RSS, reloads at ~3.7 GiB (~1 GiB per reload). So first loads restart
 * every 3 loads and reloads/overlaps every 2 (~2.5 GiB), each process staying well under half of where one died.
 * Data survives the restarts because the emulator persists to SQLite (`--database`).
 *
 * Wall time (2 shared cores): first loads ~130 s, overlaps ~27 s, and a reload of all 32 chunks ~200 s (each
 * reload scans the whole table: ~5 s plus a restart every 2), 6 min in all. So the reload pass takes every other
 * chunk by default — both halves of the year, from 2010 to 2025, across 8 restarts (~100 s);
 * BQ_FULL_RELOAD=1 reloads all 32. The DuckDB acceptance reloads all 32 every run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoadBarsInput, type LoadBarsResult, type Warehouse } from '../../warehouse';
import { startBigQueryEmulator, type RunningBigQueryEmulator } from '../support/bigquery-emulator';
import { openEmulatorWarehouse } from './emulator-warehouse';
import { chunkInput, expectedYearSums, NQ_CHUNKS, nqRecording, YEAR_SUMS_SQL, type NqRecording } from './nq-chunks';

/** loads per emulator process (see the header): first loads of new keys, then loads against the full table */
const FIRST_LOADS_PER_PROCESS = 3;
const RELOADS_PER_PROCESS = 2;
const TABLE = 'market_data.databento_futures_ohlcv_1h';
const MINUTES = 60_000;
/** 2010H1, 2011H2, 2012H1, 2013H2, …: 16 chunks, alternating halves (see the header) */
const RELOAD_CHUNKS = process.env.BQ_FULL_RELOAD === '1' ? NQ_CHUNKS : NQ_CHUNKS.filter((_, i) => i % 4 === 0 || i % 4 === 3);

let dir: string;
let emu: RunningBigQueryEmulator;
let wh: Warehouse;
let rec: NqRecording;
let loadsSinceStart = 0;
let loadsPerProcess = FIRST_LOADS_PER_PROCESS;
const pids = new Set<number | undefined>();

const openWarehouse = () => openEmulatorWarehouse(emu);

/** Every load goes through here: a fresh emulator process (same port, same database file) every few loads. */
async function load(input: LoadBarsInput): Promise<LoadBarsResult> {
  if (loadsSinceStart >= loadsPerProcess) {
    await wh.close();
    await emu.restart();
    pids.add(emu.pid);
    wh = await openWarehouse();
    loadsSinceStart = 0;
  }
  loadsSinceStart++;
  return wh.loadBars(input);
}

async function count(): Promise<string> {
  const [r] = await wh.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${TABLE}`);
  return r.n;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'wh-bq-full-'));
  emu = await startBigQueryEmulator({ projectId: 'wh-full', databaseFile: path.join(dir, 'emulator.sqlite') });
  pids.add(emu.pid);
  wh = await openWarehouse();
  await wh.ensureSchema();
  rec = await nqRecording();
});
afterAll(async () => {
  await wh?.close();
  await emu?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('BigQuery emulator: NQ.FUT ohlcv-1h acceptance (228,911 real bars, persistent emulator restarted every 2–3 loads)', () => {
  it('loads every half-year chunk to exactly 228,911 rows, with per-year sums equal to the recording', { timeout: 15 * MINUTES }, async () => {
    expect(NQ_CHUNKS).toHaveLength(32);
    let inserted = 0;
    for (const c of NQ_CHUNKS) {
      const r = await load(chunkInput(rec, c.id, c.start, c.end));
      expect(r.updated, c.id).toBe(0);
      expect(r.inserted, c.id).toBe(r.rows);
      inserted += r.inserted;
    }
    // the rows went through 11 emulator processes: none were lost across restarts
    expect(pids.size).toBeGreaterThanOrEqual(Math.floor(NQ_CHUNKS.length / FIRST_LOADS_PER_PROCESS));
    expect(inserted).toBe(228_911);
    expect(await count()).toBe('228911');
    const expected = expectedYearSums(rec.columns);
    const rows = await wh.query<Record<string, string>>(YEAR_SUMS_SQL);
    expect(rows.map((r) => r.year)).toEqual([...expected.keys()]);
    for (const r of rows) {
      expect({ n: Number(r.n), open: r.open, high: r.high, low: r.low, close: r.close, volume: r.volume }, r.year).toEqual(expected.get(r.year));
    }
  });

  it(`reloading ${RELOAD_CHUNKS.length} of the chunks (BQ_FULL_RELOAD=1: all) changes nothing`, { timeout: 15 * MINUTES }, async () => {
    loadsPerProcess = RELOADS_PER_PROCESS;
    expect(RELOAD_CHUNKS.length).toBeGreaterThanOrEqual(16);
    const restartsBefore = pids.size;
    for (const c of RELOAD_CHUNKS) {
      const r = await load(chunkInput(rec, c.id, c.start, c.end));
      expect(r, c.id).toMatchObject({ inserted: 0, updated: 0, unchanged: r.rows });
    }
    expect(pids.size - restartsBefore).toBeGreaterThanOrEqual(RELOAD_CHUNKS.length / RELOADS_PER_PROCESS - 1);
    expect(await count()).toBe('228911');
  });

  it('overlapping full-year chunks over loaded halves add nothing', { timeout: 5 * MINUTES }, async () => {
    for (const year of [2012, 2020, 2025]) {
      const r = await load(chunkInput(rec, `${year}FY`, `${year}-01-01T00:00:00Z`, `${year + 1}-01-01T00:00:00Z`));
      expect(r.rows).toBeGreaterThan(9000);
      expect(r, String(year)).toMatchObject({ inserted: 0, updated: 0, unchanged: r.rows });
    }
    expect(await count()).toBe('228911');
  });
});
