import { describe, expect, it } from 'vitest';
import type { SeriesKey } from '../../domain/series';
import { hostActivities } from '../support/host-activities';
import { useHostsDirAndGateway } from '../support/use-hosts-dir-and-gateway';

const series: SeriesKey = { dataset: 'GLBX.MDP3', schema: 'ohlcv-1d', symbol: 'ZL.c.0', stypeIn: 'continuous' };

describe('validating a chunk or a batch on the worker running the workflow (local activity)', () => {
  const f = useHostsDirAndGateway('validate-here-');

  it('validates a file it holds exactly as validateChunk does, and declines one it does not hold', async () => {
    const a = hostActivities(f.dir, 'host-a', f.gateway);
    const b = hostActivities(f.dir, 'host-b', f.gateway);
    try {
      const { chunks } = await a.run(a.acts.quoteSeries, { series, start: '2015-01-01', end: '2016-01-01' });
      const ref = await a.run(a.acts.downloadChunk, { series, chunk: chunks[0], approvedCostUsd: chunks[0].costUsd });
      expect(ref.records).toBeGreaterThan(100);

      const remote = await a.run(a.acts.validateChunk, { series, chunk: ref });
      const here = await a.run(a.acts.validateChunkHere, { series, chunk: ref });
      expect(remote.ok).toBe(true);
      expect(here).toEqual(remote);

      // host B never downloaded it: the workflow must validate on host A's queue instead
      expect(await b.run(b.acts.validateChunkHere, { series, chunk: ref })).toBeNull();
      // a file of another download (other sha256) is not the chunk the workflow holds a reference to
      expect(await a.run(a.acts.validateChunkHere, { series, chunk: { ...ref, sha256: '0'.repeat(64) } })).toBeNull();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('validates a batch only when it holds every chunk of it, as validateChunks does on the host', async () => {
    const a = hostActivities(f.dir, 'host-a', f.gateway);
    const b = hostActivities(f.dir, 'host-b', f.gateway);
    try {
      const { chunks } = await a.run(a.acts.quoteSeries, { series, start: '2016-01-01', end: '2018-01-01' });
      const refs = await a.run(a.acts.downloadChunks, { series, chunks: chunks.map((chunk) => ({ chunk, approvedCostUsd: chunk.costUsd })) });
      expect(refs.map((r) => r.chunkId)).toEqual(chunks.map((c) => c.id));
      expect(refs.every((r) => r.records > 100 && r.hostQueue === refs[0].hostQueue)).toBe(true);

      const remote = await a.run(a.acts.validateChunks, { series, chunks: refs });
      expect(remote.map((v) => v.ok)).toEqual([true, true, true, true]);
      expect(await a.run(a.acts.validateChunksHere, { series, chunks: refs })).toEqual(remote);
      expect(await b.run(b.acts.validateChunksHere, { series, chunks: refs })).toBeNull();
      // one chunk of the batch is not the file this host holds: the whole batch is validated on its host instead
      const [first, ...rest] = refs;
      expect(await a.run(a.acts.validateChunksHere, { series, chunks: [...rest, { ...first, sha256: '0'.repeat(64) }] })).toBeNull();

      // downloading the batch again reuses every stored file, requesting nothing
      const again = await a.run(a.acts.downloadChunks, { series, chunks: chunks.map((chunk) => ({ chunk, approvedCostUsd: chunk.costUsd })) });
      expect(again.map((r) => [r.reused, r.bytesRequested, r.sha256])).toEqual(refs.map((r) => [true, 0, r.sha256]));
    } finally {
      await a.close();
      await b.close();
    }
  });
});
