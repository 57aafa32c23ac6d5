/**
 * DBN decode throughput on real data: the NQ.FUT ohlcv-1h recording (228,911 bars) re-encoded as DBN v3
 * in memory, decoded into OhlcvColumns. Run: npm run bench:decode
 */
import os from 'node:os';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { marketDataDir } from '../test/support/market-data-dir';
import { parseOhlcvCsv } from '../recordings/parse-ohlcv-csv';
import { NQ_OHLCV_1H_FILE } from '../recordings/read-nq';
import { collectOhlcvStream, decodeDbn, decodeOhlcvColumns } from '../dbn/decode';
import { encodeOhlcvColumns } from '../dbn/encode';
import { createCsvRenderer } from '../dbn/render-csv';
import { zstdCompress, zstdDecompress } from '../dbn/zstd';

function measure<T>(label: string, iterations: number, records: number, bytes: number, fn: () => T): T {
  let result = fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    result = fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const best = times[0];
  const median = times[Math.floor(times.length / 2)];
  const rps = (records / median) * 1000;
  const mbps = (bytes / 1e6 / median) * 1000;
  console.log(
    `${label.padEnd(44)} median ${median.toFixed(1).padStart(7)} ms  best ${best.toFixed(1).padStart(7)} ms  ` +
      `${(rps / 1e6).toFixed(2).padStart(6)} M records/s  ${mbps.toFixed(0).padStart(5)} MB/s`,
  );
  return result;
}

async function* chunks(b: Uint8Array, size: number) {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

async function main(): Promise<void> {
  const cpu = os.cpus();
  console.log(`machine: ${cpu[0]?.model ?? 'unknown'} x${cpu.length} cores, ${os.platform()} ${os.arch()}, node ${process.version}, load ${os.loadavg().map((x) => x.toFixed(1)).join('/')}`);

  const zst = readFileSync(path.join(marketDataDir(), NQ_OHLCV_1H_FILE));
  const csvText = measure('zstd-decompress recorded CSV (25.6 MB)', 5, 228_911, zst.length, () => zstdDecompress(zst));
  const parsed = measure('parse recorded CSV -> columns', 5, 228_911, csvText.length, () => parseOhlcvCsv(csvText, 'nq-1h'));
  const n = parsed.columns.length;

  const dbn = encodeOhlcvColumns({ dataset: 'GLBX.MDP3', schema: 'ohlcv-1h', start: parsed.columns.ts_event[0], stype_in: 'parent', symbols: ['NQ.FUT'] }, parsed.columns);
  console.log(`DBN v3 in memory: ${n} records, ${(dbn.length / 1e6).toFixed(1)} MB uncompressed`);

  const iterations = 15;
  measure('decodeOhlcvColumns (uncompressed DBN)', iterations, n, dbn.length, () => decodeOhlcvColumns(dbn));
  measure('encodeOhlcvColumns', iterations, n, dbn.length, () => encodeOhlcvColumns({ dataset: 'GLBX.MDP3', schema: 'ohlcv-1h', start: 0n }, parsed.columns));

  const compressed = zstdCompress(dbn, 3);
  console.log(`zstd level 3: ${(compressed.length / 1e6).toFixed(2)} MB`);
  measure('zstd-decompress (native) + decodeOhlcvColumns', 7, n, dbn.length, () => decodeOhlcvColumns(compressed));
  const t0 = performance.now();
  const streamed = await collectOhlcvStream(chunks(compressed, 64 * 1024));
  const ms = performance.now() - t0;
  console.log(
    `${'stream: fzstd (pure JS) + decodeOhlcvStream'.padEnd(44)} once   ${ms.toFixed(1).padStart(7)} ms  ${((n / ms) * 1000 / 1e6).toFixed(2).padStart(6)} M records/s  (${streamed.columns.length} records)`,
  );
  measure('decodeDbn (record objects, general path)', 3, n, dbn.length, () => decodeDbn(dbn));

  const { metadata, columns } = decodeOhlcvColumns(dbn);
  const renderer = createCsvRenderer(metadata, {});
  measure('render CSV bytes (pretty, map_symbols)', 5, n, csvText.length, () => renderer.rowsBytes(columns, parsed.symbol));
}

await main();
