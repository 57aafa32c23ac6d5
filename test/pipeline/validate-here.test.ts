import { describe, expect, it } from 'vitest';
import type { SeriesKey } from '../../domain/series';
import { hostActivities } from '../support/host-activities';
import { useHostsDirAndGateway } from '../support/use-hosts-dir-and-gateway';

const series: SeriesKey = { dataset: 'GLBX.MDP3', schema: 'ohlcv-1d', symbol: 'ZL.c.0', stypeIn: 'continuous' };

describe('validating a chunk on the worker running the workflow (local activity)', () => {
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
});
