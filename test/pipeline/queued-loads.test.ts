import { describe, expect, it } from 'vitest';
import { createWarehouseFromEnv } from '../../warehouse/warehouse';
import type { Env } from '../../config/env';
import type { SeriesKey } from '../../domain/series';
import { hostActivities } from '../support/host-activities';
import { useHostsDirAndGateway } from '../support/use-hosts-dir-and-gateway';

const series: SeriesKey = { dataset: 'GLBX.MDP3', schema: 'ohlcv-1d', symbol: 'ZL.c.0', stypeIn: 'continuous' };

describe('loads of one series queued behind each other in a worker', () => {
  const f = useHostsDirAndGateway('queued-loads-');

  it('keep the DuckDB file open from the first to the last (no reopen and checkpoint per chunk or batch), and load every row once', async () => {
    // counts the warehouses open at once: the file's DuckDB instance closes whenever this drops to 0
    let open = 0;
    const openAfterClose: number[] = [];
    const openWarehouse = async (env: Env) => {
      const w = await createWarehouseFromEnv(env);
      open++;
      const close = w.close.bind(w);
      w.close = async () => {
        await close();
        open--;
        openAfterClose.push(open);
      };
      return w;
    };
    const { env, acts, run, close } = hostActivities(f.dir, 'chunks', f.gateway, { openWarehouse });
    try {
      const { chunks } = await run(acts.quoteSeries, { series, start: '2014-01-01', end: '2016-01-01' });
      expect(chunks).toHaveLength(4);
      const fetched = await run(acts.fetchChunks, { series, chunks: chunks.map((chunk) => ({ chunk, approvedCostUsd: chunk.costUsd })) });
      expect(fetched.every((f) => f.validation.ok)).toBe(true);
      const refs = fetched.map(({ ref, validation }) => ({ ref, summary: validation.summary }));

      // as ingestSeries schedules batches of small chunks: two loads of two chunks each, the second queued behind the
      // first; each holds one warehouse for its whole batch, and the file stays open until the last
      openAfterClose.length = 0;
      const batches = [refs.slice(0, 2), refs.slice(2)].map((batch) => batch.map(({ ref, summary }) => ({ chunk: ref, validationSummary: summary })));
      const batchResults = await Promise.all(batches.map((chunks) => run(acts.loadChunks, { series, chunks })));
      expect(openAfterClose).toEqual([1, 0]);
      expect(batchResults.flat().map((r) => r.rows)).toEqual(refs.map((r) => r.ref.records));
      expect(batchResults.flat().every((r) => r.inserted === r.rows)).toBe(true);

      // loaded again, one chunk per load as ingestSeries schedules large chunks: each load starts before the one
      // ahead of it has ended, and nothing changes
      openAfterClose.length = 0;
      const results = (await Promise.all(refs.map(({ ref, summary }) => run(acts.loadChunks, { series, chunks: [{ chunk: ref, validationSummary: summary }] })))).flat();
      // one close per load; only the last one leaves no warehouse open (which closes the file's instance)
      expect(openAfterClose).toHaveLength(refs.length);
      expect(openAfterClose.indexOf(0)).toBe(refs.length - 1);

      const records = refs.reduce((s, r) => s + r.ref.records, 0);
      expect(results.reduce((s, r) => s + r.rows, 0)).toBe(records);
      expect(results.every((r) => r.unchanged === r.rows && r.inserted === 0)).toBe(true);
      const w = await createWarehouseFromEnv(env);
      try {
        const [{ n }] = await w.query<{ n: string }>('select count(*) as n from market_data.databento_futures_ohlcv_1d');
        expect(Number(n)).toBe(records);
        const ledger = await w.ledger({ series: 'GLBX.MDP3/ohlcv-1d/ZL.c.0' });
        expect(ledger.filter((r) => r.status === 'loaded').map((r) => r.chunk_id).sort()).toEqual(chunks.map((c) => c.id).sort());
      } finally {
        await w.close();
      }
    } finally {
      await close();
    }
  });
});
