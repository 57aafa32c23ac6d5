import { describe, expect, it } from 'vitest';
import type { SeriesKey } from '../../domain/series';
import { hostActivities } from '../support/host-activities';
import { useHostsDirAndGateway } from '../support/use-hosts-dir-and-gateway';

const series: SeriesKey = { dataset: 'GLBX.MDP3', schema: 'ohlcv-1d', symbol: 'ZL.c.0', stypeIn: 'continuous' };
const HOUR = 3_600_000;

describe('downloadChunk(s) heartbeat their progress only once they have run for a while', () => {
  const f = useHostsDirAndGateway('download-heartbeats-');

  /** one host (its own chunk store) downloads the real 2015H1 ZL chunk; returns its ref and the heartbeats sent */
  async function download(name: string, firstDownloadHeartbeatAfterMs?: number) {
    const host = hostActivities(f.dir, name, f.gateway, { firstDownloadHeartbeatAfterMs });
    const beats: { records: number }[] = [];
    try {
      const { chunks } = await host.run(host.acts.quoteSeries, { series, start: '2015-01-01', end: '2015-07-01' });
      expect(chunks).toHaveLength(1);
      host.ctx.on('heartbeat', (d: { records: number }) => beats.push(d));
      const ref = await host.run(host.acts.downloadChunk, { series, chunk: chunks[0], approvedCostUsd: chunks[0].costUsd });
      expect(ref.reused).toBe(false);
      return { ref, beats };
    } finally {
      await host.close();
    }
  }

  it('sends none before the threshold, and the records so far after it', async () => {
    // with no threshold every persisted batch is reported: the progress exists to be held back
    const eager = await download('eager', 0);
    expect(eager.beats.length).toBeGreaterThan(0);
    // the same download with the threshold an hour away sends nothing
    const held = await download('held', HOUR);
    expect(held.beats).toEqual([]);
    expect(held.ref.sha256).toBe(eager.ref.sha256);
    // at the default threshold, a download trickled over several seconds reports its progress
    f.gateway.faults.slowBody = { bytesPerSecond: 1000 };
    const slow = await download('slow');
    f.gateway.faults.slowBody = undefined;
    expect(slow.ref.sha256).toBe(eager.ref.sha256);
    expect(slow.beats.length).toBeGreaterThan(0);
    expect(slow.beats.at(-1)!.records).toBeGreaterThan(0);
    expect(slow.beats.at(-1)!.records).toBeLessThanOrEqual(slow.ref.records);
  });

  it('downloadChunks reports each chunk of a batch by id, past the same threshold', async () => {
    const host = hostActivities(f.dir, 'batch', f.gateway, { firstDownloadHeartbeatAfterMs: 0 });
    const beats: { chunk: string; records: number }[] = [];
    try {
      const { chunks } = await host.run(host.acts.quoteSeries, { series, start: '2015-01-01', end: '2016-01-01' });
      expect(chunks.map((c) => c.id)).toEqual(['2015H1', '2015H2']);
      host.ctx.on('heartbeat', (d: { chunk: string; records: number }) => beats.push(d));
      const refs = await host.run(host.acts.downloadChunks, { series, chunks: chunks.map((chunk) => ({ chunk, approvedCostUsd: chunk.costUsd })) });
      expect(refs.map((r) => r.chunkId)).toEqual(['2015H1', '2015H2']);
      for (const ref of refs) {
        const own = beats.filter((b) => b.chunk === ref.chunkId);
        expect(own.length).toBeGreaterThan(0);
        expect(own.at(-1)!.records).toBeLessThanOrEqual(ref.records);
      }
    } finally {
      await host.close();
    }
  });
});
