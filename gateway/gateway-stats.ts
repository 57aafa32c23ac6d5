/** Request counters of one gateway; tests assert e.g. "a re-run makes 0 get_range requests". */
export interface GatewayStats {
  /** every request that reached a route, by endpoint name (e.g. `timeseries.get_range`, `batch.download`) */
  byEndpoint: Record<string, number>;
  /** `aborted`: bodies cut before their end (a fault reset, or the client went away, e.g. a cancelled download) */
  getRange: { requests: number; bytes: number; records: number; aborted: number };
  batchDownload: { requests: number; bytes: number };
  reset(): void;
}

export function createGatewayStats(): GatewayStats {
  const stats: GatewayStats = {
    byEndpoint: {},
    getRange: { requests: 0, bytes: 0, records: 0, aborted: 0 },
    batchDownload: { requests: 0, bytes: 0 },
    reset() {
      stats.byEndpoint = {};
      stats.getRange = { requests: 0, bytes: 0, records: 0, aborted: 0 };
      stats.batchDownload = { requests: 0, bytes: 0 };
    },
  };
  return stats;
}

/** JSON view for `GET /_gateway/stats`. */
export function statsSnapshot(stats: GatewayStats): Omit<GatewayStats, 'reset'> {
  return { byEndpoint: { ...stats.byEndpoint }, getRange: { ...stats.getRange }, batchDownload: { ...stats.batchDownload } };
}
