import type { Schema } from '../domain/databento-enums';

/**
 * The gateway's OWN unit prices in USD per GB of billable (uncompressed DBN record) bytes.
 * These are not Databento's prices: they only make cost quotes deterministic and non-zero so the
 * pipeline's cost gate is exercised. Finer schemas cost more, as on the real price list.
 */
export const GATEWAY_PRICE_TABLE_USD_PER_GB: Readonly<Record<Schema, number>> = {
  mbo: 3.5,
  'mbp-1': 2.5,
  'mbp-10': 3.0,
  tbbo: 2.0,
  trades: 1.5,
  'ohlcv-1s': 1.2,
  'ohlcv-1m': 0.9,
  'ohlcv-1h': 0.6,
  'ohlcv-1d': 0.5,
  definition: 0.3,
  statistics: 0.8,
  status: 0.2,
  imbalance: 1.0,
  'ohlcv-eod': 0.5,
  'cmbp-1': 2.5,
  'cbbo-1s': 1.5,
  'cbbo-1m': 1.2,
  tcbbo: 2.0,
  'bbo-1s': 1.5,
  'bbo-1m': 1.2,
};

/** Cost in USD of `billableBytes` at `usdPerGb` (1 GB = 1e9 bytes): `bytes / 1e9 * price`. */
export function computeCostUsd(billableBytes: number, usdPerGb: number): number {
  return (billableBytes / 1e9) * usdPerGb;
}
