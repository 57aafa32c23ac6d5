import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SeriesKey } from '../../domain/series';
import { hostActivities } from '../support/host-activities';
import { useHostsDirAndGateway } from '../support/use-hosts-dir-and-gateway';

const series: SeriesKey = { dataset: 'GLBX.MDP3', schema: 'ohlcv-1d', symbol: 'ZL.c.0', stypeIn: 'continuous' };

describe('fetchChunks: a batch downloaded and validated on the host that keeps the files', () => {
  const f = useHostsDirAndGateway('fetch-chunks-');

  it('checks every chunk of the batch with its report on disk, and a second fetch requests nothing', async () => {
    const a = hostActivities(f.dir, 'host-a', f.gateway);
    try {
      const { chunks } = await a.run(a.acts.quoteSeries, { series, start: '2016-01-01', end: '2018-01-01' });
      f.gateway.stats.reset();
      const fetched = await a.run(a.acts.fetchChunks, { series, chunks: chunks.map((chunk) => ({ chunk, approvedCostUsd: chunk.costUsd })) });
      expect(f.gateway.stats.getRange.requests).toBe(4);
      expect(fetched.map((x) => x.ref.chunkId)).toEqual(chunks.map((c) => c.id));
      expect(fetched.every((x) => x.ref.records > 100 && x.ref.hostQueue === 'q@host-a' && !x.ref.reused)).toBe(true);
      expect(fetched.map((x) => x.validation.ok)).toEqual([true, true, true, true]);
      for (const { validation } of fetched) {
        const report = JSON.parse(readFileSync(validation.reportFile, 'utf8')) as { ok: boolean; summary: string };
        expect(report).toMatchObject({ ok: true, summary: validation.summary });
      }

      // fetching the batch again (an activity retry) reuses every stored file and validates it again
      const again = await a.run(a.acts.fetchChunks, { series, chunks: chunks.map((chunk) => ({ chunk, approvedCostUsd: chunk.costUsd })) });
      expect(f.gateway.stats.getRange.requests).toBe(4);
      expect(again.map((x) => [x.ref.reused, x.ref.bytesRequested, x.ref.sha256, x.validation.summary])).toEqual(
        fetched.map((x) => [true, 0, x.ref.sha256, x.validation.summary]),
      );
    } finally {
      await a.close();
    }
  });
});

describe('a stored chunk file answers exactly the request it was fetched for', () => {
  const f = useHostsDirAndGateway('fetch-exact-');

  it('is not reused for another range stored under the same id (as ids were before they encoded the range)', async () => {
    const a = hostActivities(f.dir, 'host-a', f.gateway);
    try {
      const { chunks } = await a.run(a.acts.quoteSeries, { series, start: '2015-01-01', end: '2015-07-01' });
      const [whole] = chunks;
      expect(whole.id).toBe('2015H1');
      // the same id asked for a few days first: what the old half-year ids did for a narrow request
      const narrow = { ...whole, start: '2015-03-02T00:00:00Z', end: '2015-03-05T00:00:00Z' };
      f.gateway.stats.reset();
      const [first] = await a.run(a.acts.fetchChunks, { series, chunks: [{ chunk: narrow, approvedCostUsd: whole.costUsd }] });
      const [second] = await a.run(a.acts.fetchChunks, { series, chunks: [{ chunk: whole, approvedCostUsd: whole.costUsd }] });
      expect(f.gateway.stats.getRange.requests).toBe(2);
      expect(second.ref.reused).toBe(false);
      expect(second.ref.records).toBeGreaterThan(first.ref.records);
      expect(second.ref.records).toBe(whole.records);
      // and the whole half-year, asked again, is the file now stored
      const [third] = await a.run(a.acts.fetchChunks, { series, chunks: [{ chunk: whole, approvedCostUsd: whole.costUsd }] });
      expect(third.ref.reused).toBe(true);
      expect(f.gateway.stats.getRange.requests).toBe(2);
    } finally {
      await a.close();
    }
  });
});

describe('a range with no records', () => {
  const f = useHostsDirAndGateway('fetch-empty-');

  it('is fetched with one request and stored as metadata alone (a Saturday of ZL.c.0 daily bars)', async () => {
    const a = hostActivities(f.dir, 'host-a', f.gateway);
    try {
      const { chunks } = await a.run(a.acts.quoteSeries, { series, start: '2017-11-25', end: '2017-11-26' });
      expect(chunks.map((c) => [c.id, c.records])).toEqual([['2017H2.20171125-20171126', 0]]);
      f.gateway.stats.reset();
      const [fetched] = await a.run(a.acts.fetchChunks, { series, chunks: [{ chunk: chunks[0], approvedCostUsd: chunks[0].costUsd }] });
      expect(fetched.ref.records).toBe(0);
      expect(fetched.validation.ok).toBe(true);
      expect(f.gateway.stats.getRange.requests).toBe(1);
    } finally {
      await a.close();
    }
  });
});
