import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ChunkStore, sha256 } from '../../chunk-store/chunk-store';
import { HistoricalClient } from '../../databento/historical-client';
import { zstdCompress } from '../../dbn/zstd';
import { GATEWAY_TEST_KEY } from '../../gateway/start-gateway';
import type { PipelineHarness } from './pipeline-harness';

const SERIES = { dataset: 'GLBX.MDP3', schema: 'ohlcv-1d', symbol: 'ZL.c.0' };

/**
 * TEST-ONLY CORRUPTION: fetches a chunk's real bytes from the gateway and sets one record's high below its low,
 * then plants the result in the chunk store with a matching manifest, as a damaged file on disk would be.
 */
export async function plantCorruptedChunk(h: PipelineHarness, chunkId: string, start: string, end: string): Promise<void> {
  const client = new HistoricalClient({ apiKey: GATEWAY_TEST_KEY, baseUrl: h.gateway.url });
  const raw = path.join(h.dir, `${chunkId}.raw.dbn`);
  const request = { dataset: 'GLBX.MDP3', symbols: ['ZL.c.0'], schema: 'ohlcv-1d' as const, stypeIn: 'continuous' as const, start, end };
  await client.timeseries.getRangeToFile({ ...request, encoding: 'dbn', compression: 'none' }, raw);
  await client.close();
  const bytes = new Uint8Array(readFileSync(raw));
  const view = new DataView(bytes.buffer);
  const recordsAt = 8 + view.getUint32(4, true);
  const victim = recordsAt + 10 * 56; // the 11th bar of the chunk
  const low = view.getBigInt64(victim + 32, true);
  view.setBigInt64(victim + 24, low - 10_000_000n, true); // high := low - 0.01
  const compressed = zstdCompress(bytes);
  const store = new ChunkStore(h.env.DATA_DIR);
  const loc = { ...SERIES, chunkId };
  const p = store.paths(loc);
  await store.writeAtomic(p.file, compressed);
  await store.writeManifest(loc, {
    version: 1,
    chunkId,
    series: 'GLBX.MDP3/ohlcv-1d/ZL.c.0',
    file: p.file,
    sha256: sha256(compressed),
    fileBytes: compressed.length,
    recordBytes: bytes.length - recordsAt,
    records: (bytes.length - recordsAt) / 56,
    costUsd: 0,
    request: { dataset: 'GLBX.MDP3', schema: 'ohlcv-1d', symbols: ['ZL.c.0'], stypeIn: 'continuous', start, end },
    requestIds: [],
    resumes: 0,
    bytesRequested: 0,
    warnings: [],
    createdAt: new Date().toISOString(),
  });
}

