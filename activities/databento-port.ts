import type { Schema, SType } from '../domain/databento-enums';
import type { HistoricalClient } from '../databento/historical-client';
import type { RangeRequest } from '../chunk-store/download-chunk';
import type { DatabentoPort } from './deps';

const query = (q: RangeRequest) => ({
  dataset: q.dataset,
  symbols: q.symbols,
  schema: q.schema as Schema,
  stypeIn: q.stypeIn as SType,
  start: q.start,
  end: q.end,
});

/** Adapts the HistoricalClient to the calls the pipeline makes. */
export function databentoPort(client: HistoricalClient): DatabentoPort {
  return {
    getDatasetRange: (dataset) => client.metadata.getDatasetRange({ dataset }),
    getCost: (q) => client.metadata.getCost(query(q)),
    getRecordCount: (q) => client.metadata.getRecordCount(query(q)),
    getBillableSize: (q) => client.metadata.getBillableSize(query(q)),
    getRangeStream: (q, opts) =>
      client.timeseries.getRangeStream({ ...query(q), encoding: 'dbn', compression: 'zstd' }, { signal: opts?.signal }),
  };
}
