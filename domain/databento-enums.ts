import { z } from 'zod';

/** Databento schema names (wire form) with their DBN u16 ids. */
export const SCHEMA_IDS = {
  mbo: 0,
  'mbp-1': 1,
  'mbp-10': 2,
  tbbo: 3,
  trades: 4,
  'ohlcv-1s': 5,
  'ohlcv-1m': 6,
  'ohlcv-1h': 7,
  'ohlcv-1d': 8,
  definition: 9,
  statistics: 10,
  status: 11,
  imbalance: 12,
  'ohlcv-eod': 13,
  'cmbp-1': 14,
  'cbbo-1s': 15,
  'cbbo-1m': 16,
  tcbbo: 17,
  'bbo-1s': 18,
  'bbo-1m': 19,
} as const;
export type Schema = keyof typeof SCHEMA_IDS;
export const schemaSchema = z.enum(Object.keys(SCHEMA_IDS) as [Schema, ...Schema[]]);

export const OHLCV_SCHEMAS = ['ohlcv-1s', 'ohlcv-1m', 'ohlcv-1h', 'ohlcv-1d'] as const;
export type OhlcvSchema = (typeof OHLCV_SCHEMAS)[number];
export const ohlcvSchemaSchema = z.enum(OHLCV_SCHEMAS);

/** Bar interval of each OHLCV schema, in nanoseconds. */
export const OHLCV_INTERVAL_NS: Record<OhlcvSchema, bigint> = {
  'ohlcv-1s': 1_000_000_000n,
  'ohlcv-1m': 60_000_000_000n,
  'ohlcv-1h': 3_600_000_000_000n,
  'ohlcv-1d': 86_400_000_000_000n,
};

/** OHLCV rtype per schema (dbn `rtype::OHLCV_1S..OHLCV_1D`). */
export const OHLCV_RTYPE: Record<OhlcvSchema, number> = {
  'ohlcv-1s': 0x20,
  'ohlcv-1m': 0x21,
  'ohlcv-1h': 0x22,
  'ohlcv-1d': 0x23,
};

/** Symbology types (wire names) with their DBN u8 ids. */
export const STYPE_IDS = {
  instrument_id: 0,
  raw_symbol: 1,
  smart: 2,
  continuous: 3,
  parent: 4,
  nasdaq_symbol: 5,
  cms_symbol: 6,
  isin: 7,
  us_code: 8,
  bbg_comp_id: 9,
  bbg_comp_ticker: 10,
  figi: 11,
  figi_ticker: 12,
} as const;
export type SType = keyof typeof STYPE_IDS;
export const stypeSchema = z.enum(Object.keys(STYPE_IDS) as [SType, ...SType[]]);

export const encodingSchema = z.enum(['dbn', 'csv', 'json']);
export type Encoding = z.infer<typeof encodingSchema>;
export const compressionSchema = z.enum(['none', 'zstd']);
export type Compression = z.infer<typeof compressionSchema>;

/** Warehouse bar table for each OHLCV schema. */
export const BAR_TABLE: Record<OhlcvSchema, string> = {
  'ohlcv-1s': 'databento_futures_ohlcv_1s',
  'ohlcv-1m': 'databento_futures_ohlcv_1m',
  'ohlcv-1h': 'databento_futures_ohlcv_1h',
  'ohlcv-1d': 'databento_futures_ohlcv_1d',
};
