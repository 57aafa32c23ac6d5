import { describe, expect, it } from 'vitest';
import type { SeriesKey } from '../../domain/series';
import { hostActivities } from '../support/host-activities';
import { useHostsDirAndGateway } from '../support/use-hosts-dir-and-gateway';

const series: SeriesKey = { dataset: 'GLBX.MDP3', schema: 'ohlcv-1d', symbol: 'ZL.c.0', stypeIn: 'continuous' };
const HOUR = 3_600_000;

describe('fetchChunks heartbeats their progress only once they have run for a while', () => {
  const f = useHostsDirAndGateway('download-heartbeats-');

  /** one host (its own chunk store) downloads the real 2015H1 ZL chunk; returns its ref and the heartbeats sent */
  async function download(name: string, firstDownloadHeartbeatAfterMs?: number) {
    const host = hostActivities(f.dir, name, f.gateway, { firstDownloadHeartbeatAfterMs });
    const beats: { records?: number; validated?: string }[] = [];
    try {
      const { chunks } = await host.run(host.acts.quoteSeries, { series, start: '2015-01-01', end: '2015-07-01' });
      expect(chunks).toHaveLength(1);
      host.ctx.on('heartbeat', (d: { records?: number; validated?: string }) => beats.push(d));
      const [{ ref, validation }] = await host.run(host.acts.fetchChunks, { series, chunks: [{ chunk: chunks[0], approvedCostUsd: chunks[0].costUsd }] });
      expect(ref.reused).toBe(false);
      expect(validation.ok).toBe(true);
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
    const progress = slow.beats.filter((b) => b.records !== undefined);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)!.records).toBeGreaterThan(0);
    expect(progress.at(-1)!.records).toBeLessThanOrEqual(slow.ref.records);
    // then, the download having run past the threshold, the validation of the chunk
    expect(slow.beats.at(-1)).toEqual({ validated: slow.ref.chunkId });
  });

  it('reports each chunk of a batch by id, past the same threshold', async () => {
    const host = hostActivities(f.dir, 'batch', f.gateway, { firstDownloadHeartbeatAfterMs: 0 });
    const beats: { chunk?: string; records?: number; validated?: string }[] = [];
    try {
      const { chunks } = await host.run(host.acts.quoteSeries, { series, start: '2015-01-01', end: '2016-01-01' });
      expect(chunks.map((c) => c.id)).toEqual(['2015H1', '2015H2']);
      host.ctx.on('heartbeat', (d: { chunk?: string; records?: number; validated?: string }) => beats.push(d));
      const fetched = await host.run(host.acts.fetchChunks, { series, chunks: chunks.map((chunk) => ({ chunk, approvedCostUsd: chunk.costUsd })) });
      const refs = fetched.map((f) => f.ref);
      expect(refs.map((r) => r.chunkId)).toEqual(['2015H1', '2015H2']);
      for (const ref of refs) {
        const own = beats.filter((b) => b.chunk === ref.chunkId);
        expect(own.length).toBeGreaterThan(0);
        expect(own.at(-1)!.records).toBeLessThanOrEqual(ref.records);
      }
      // and, past the threshold, each chunk once it is validated
      expect(beats.filter((b) => b.validated).map((b) => b.validated)).toEqual(['2015H1', '2015H2']);
    } finally {
      await host.close();
    }
  });
});
