import { existsSync } from 'node:fs';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { SeriesKey } from '../../domain/series';
import { hostActivities } from '../support/host-activities';
import { useHostsDirAndGateway } from '../support/use-hosts-dir-and-gateway';

const series: SeriesKey = { dataset: 'GLBX.MDP3', schema: 'ohlcv-1d', symbol: 'ZL.c.0', stypeIn: 'continuous' };

describe('each chunk is re-quoted just before its download', () => {
  const f = useHostsDirAndGateway('requote-');

  it('a chunk whose quote is now above what was approved stops the batch before its download, non-retryable', async () => {
    const host = hostActivities(f.dir, 'host', f.gateway);
    try {
      const { chunks } = await host.run(host.acts.quoteSeries, { series, start: '2015-01-01', end: '2016-01-01' });
      expect(chunks.map((c) => c.id)).toEqual(['2015H1', '2015H2']);
      const [first, second] = chunks;
      f.gateway.stats.reset();
      // the approval covered half of 2015H2's real quote: as if its price had doubled since
      const failure = await host
        .run(host.acts.fetchChunks, { series, chunks: [{ chunk: first, approvedCostUsd: first.costUsd }, { chunk: second, approvedCostUsd: second.costUsd / 2 }] })
        .then(() => null, (e: unknown) => e);
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect((failure as ApplicationFailure).type).toBe('CostAboveApproval');
      expect((failure as ApplicationFailure).nonRetryable).toBe(true);
      expect((failure as ApplicationFailure).message).toContain('2015H2');
      // 2015H1 (approved) downloaded; 2015H2 never requested
      expect(f.gateway.stats.getRange.requests).toBe(1);
      const [{ ref: stored }] = await host.run(host.acts.fetchChunks, { series, chunks: [{ chunk: first, approvedCostUsd: first.costUsd }] });
      expect(stored.reused).toBe(true);
      expect(f.gateway.stats.getRange.requests).toBe(1);
      expect(existsSync(stored.file.replace('2015H1', '2015H2'))).toBe(false);
    } finally {
      await host.close();
    }
  });
});
