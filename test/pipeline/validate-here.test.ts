import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeriesKey } from '../../domain/series';
import { type Gateway, startGateway } from '../../gateway/start-gateway';
import { hostActivities } from '../support/host-activities';
import { marketDataDir } from '../support/market-data-dir';

const series: SeriesKey = { dataset: 'GLBX.MDP3', schema: 'ohlcv-1d', symbol: 'ZL.c.0', stypeIn: 'continuous' };

describe('validating a chunk on the worker running the workflow (local activity)', () => {
  let dir: string;
  let gateway: Gateway;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'validate-here-'));
    gateway = await startGateway({ dataDir: marketDataDir(), port: 0 });
  });
  afterAll(async () => {
    await gateway?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('validates a file it holds exactly as validateChunk does, and declines one it does not hold', async () => {
    const a = hostActivities(dir, 'host-a', gateway);
    const b = hostActivities(dir, 'host-b', gateway);
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
