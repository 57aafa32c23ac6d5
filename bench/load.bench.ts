/**
 * Warehouse load throughput, end to end on real data: the NQ.FUT ohlcv-1h recording (228,911 bars) is written as
 * one DBN v3 + zstd file per half-year chunk (like the chunk store), then each file is read, decoded and loaded
 * (validate → append into the empty range, or stage → MERGE). Prints rows/s for DuckDB (all 32 chunks into a fresh
 * file, then a full reload, then the close with its final checkpoint; BENCH_RUNS times, default 5, and the median) and for the BigQuery emulator (the first BENCH_BQ_CHUNKS chunks, default 8, on a persistent
 * emulator restarted every 3 loads: goccy v0.8.1's heap only grows, see test/warehouse/bigquery-full-nq.test.ts).
 * BENCH_EMULATOR=0 skips the emulator. Run: npm run bench:load */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readOhlcvFile } from '../dbn/decode';
import { encodeOhlcvColumns } from '../dbn/encode';
import { sliceOhlcvColumns } from '../dbn/ohlcv-columns';
import { zstdCompress } from '../dbn/zstd';
import { readNqOhlcv1h } from '../recordings';
import { createWarehouse, type Warehouse } from '../warehouse';
import { planHalfYearChunks } from '../domain/chunks';
import { parseTimeNs } from '../domain/time';
import { marketDataDir } from '../test/support/market-data-dir';
import { startBigQueryEmulator } from '../test/support/bigquery-emulator';
import { machineLine } from './machine';
import { median } from './median';

interface ChunkFile {
  id: string;
  start: string;
  end: string;
  file: string;
  /** offset of the chunk's first row in the recording (symbols come from the recording) */
  offset: number;
}

async function loadAll(wh: Warehouse, files: ChunkFile[], symbols: string[], before?: (i: number) => Promise<Warehouse>) {
  let rows = 0;
  let inserted = 0;
  let decodeMs = 0;
  const t0 = performance.now();
  for (const [i, f] of files.entries()) {
    if (before) wh = await before(i);
    const td = performance.now();
    const { columns } = await readOhlcvFile(f.file);
    decodeMs += performance.now() - td;
    const r = await wh.loadBars({
      chunk: { chunkId: f.id, dataset: 'GLBX.MDP3', schema: 'ohlcv-1h', start: f.start, end: f.end, symbols: ['NQ.FUT'], stypeIn: 'parent' },
      columns,
      symbol: (i) => symbols[f.offset + i],
    });
    rows += r.rows;
    inserted += r.inserted;
  }
  return { rows, inserted, ms: performance.now() - t0, decodeMs };
}

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const rowsPerSecond = (r: { rows: number; ms: number }) => (r.rows / r.ms) * 1000;

function report(label: string, r: { rows: number; inserted: number; ms: number; decodeMs: number }): void {
  console.log(
    `${label.padEnd(40)} ${String(r.rows).padStart(7)} rows (${r.inserted} new) in ${r.ms.toFixed(0).padStart(6)} ms ` +
      `= ${Math.round(rowsPerSecond(r)).toLocaleString('en-US').padStart(9)} rows/s  (decode ${r.decodeMs.toFixed(0)} ms)`,
  );
}

async function main(): Promise<void> {
  console.log(machineLine());
  const rec = await readNqOhlcv1h(marketDataDir());
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-load-'));
  try {
    const ts = rec.columns.ts_event;
    const files: ChunkFile[] = [];
    let a = 0;
    for (const c of planHalfYearChunks('2010-06-06', '2026-01-01')) {
      const e = parseTimeNs(c.end);
      let b = a;
      while (b < ts.length && ts[b] < e) b++;
      const cols = sliceOhlcvColumns(rec.columns, a, b);
      const dbn = encodeOhlcvColumns({ dataset: 'GLBX.MDP3', schema: 'ohlcv-1h', start: parseTimeNs(c.start), end: e, stype_in: 'parent' }, cols);
      const file = path.join(dir, `${c.id}.dbn.zst`);
      writeFileSync(file, zstdCompress(dbn));
      files.push({ id: c.id, start: c.start, end: c.end, file, offset: a });
      a = b;
    }
    console.log(`${files.length} chunk files (DBN v3 + zstd), ${a} rows`);

    // this machine's timings move by ±10% run to run: several runs, each into a fresh database file, and the median
    const first: number[] = [];
    const reload: number[] = [];
    for (let run = 1; run <= RUNS; run++) {
      const duck = await createWarehouse({ kind: 'duckdb', path: path.join(dir, `bench-${run}.duckdb`) });
      await duck.ensureSchema();
      const f = await loadAll(duck, files, rec.symbol);
      report(`duckdb run ${run}: first load, 32 chunks`, f);
      const r = await loadAll(duck, files, rec.symbol);
      report(`duckdb run ${run}: reload (all unchanged)`, r);
      const tc = performance.now();
      await duck.close();
      console.log(`duckdb run ${run}: close (final checkpoint) ${(performance.now() - tc).toFixed(0)} ms`);
      first.push(rowsPerSecond(f));
      reload.push(rowsPerSecond(r));
    }
    console.log(
      `duckdb median of ${RUNS}: first load ${Math.round(median(first)).toLocaleString('en-US')} rows/s ` +
        `(range ${Math.round(Math.min(...first)).toLocaleString('en-US')}–${Math.round(Math.max(...first)).toLocaleString('en-US')}), ` +
        `reload ${Math.round(median(reload)).toLocaleString('en-US')} rows/s`,
    );

    const n = process.env.BENCH_EMULATOR === '0' ? 0 : Number(process.env.BENCH_BQ_CHUNKS ?? 8);
    if (n > 0) {
      delete process.env.BIGQUERY_EMULATOR_HOST;
      process.env.METADATA_SERVER_DETECTION = 'none';
      const emu = await startBigQueryEmulator({ projectId: 'bench', databaseFile: path.join(dir, 'emulator.sqlite') });
      const open = () =>
        createWarehouse({ kind: 'bigquery', projectId: emu.projectId, apiEndpoint: emu.endpoint, autoRetry: false } as Parameters<typeof createWarehouse>[0]);
      let bq = await open();
      // a fresh emulator process every 3 loads (restart time included in the figures)
      let loads = 0;
      const restartEvery3 = async () => {
        if (loads > 0 && loads % 3 === 0) {
          await bq.close();
          await emu.restart();
          bq = await open();
        }
        loads++;
        return bq;
      };
      try {
        await bq.ensureSchema();
        report(`bigquery emulator: first ${n} chunks`, await loadAll(bq, files.slice(0, n), rec.symbol, restartEvery3));
        report(`bigquery emulator: reload ${n}`, await loadAll(bq, files.slice(0, n), rec.symbol, restartEvery3));
        await bq.close();
      } finally {
        await emu.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
