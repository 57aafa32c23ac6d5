import { BAR_TABLE, OHLCV_SCHEMAS, type OhlcvSchema } from '../domain/databento-enums';
import type { ColumnSpec, TableSpec } from './table-spec';

const col = (name: string, type: ColumnSpec['type'], nullable = true, description?: string): ColumnSpec => ({
  name,
  type,
  nullable,
  ...(description ? { description } : {}),
});

/** Partition granularity per bar size: few, not-too-small partitions (≤ 4,000 touched per job, see reference). */
const BAR_PARTITION: Record<OhlcvSchema, 'DAY' | 'MONTH' | 'YEAR'> = {
  'ohlcv-1s': 'DAY',
  'ohlcv-1m': 'MONTH',
  'ohlcv-1h': 'MONTH',
  'ohlcv-1d': 'YEAR',
};

/**
 * One bar table per OHLCV schema. Databento's field names; prices NUMERIC (exact 1e-9 fixed point);
 * a row is identified by (instrument_id, ts_event).
 */
export function barTableSpec(schema: OhlcvSchema): TableSpec {
  return {
    dataset: 'market_data',
    name: BAR_TABLE[schema],
    description: `Databento ${schema} bars (GLBX.MDP3 futures); prices exact at 1e-9`,
    columns: [
      col('ts_event', 'TIMESTAMP', false, 'bar open time, UTC'),
      col('rtype', 'INT64', false),
      col('publisher_id', 'INT64', false),
      col('instrument_id', 'INT64', false),
      col('open', 'NUMERIC', false),
      col('high', 'NUMERIC', false),
      col('low', 'NUMERIC', false),
      col('close', 'NUMERIC', false),
      col('volume', 'INT64', false),
      col('symbol', 'STRING', true, 'raw or requested symbol for this instrument at ts_event'),
      col('dataset', 'STRING', false),
      col('chunk_id', 'STRING', false, 'chunk that last wrote the row'),
      col('ingested_at', 'TIMESTAMP', false),
    ],
    key: ['instrument_id', 'ts_event'],
    partition: { column: 'ts_event', granularity: BAR_PARTITION[schema] },
    cluster: ['symbol', 'ts_event'],
    requirePartitionFilter: schema === 'ohlcv-1s' || schema === 'ohlcv-1m',
    lineage: ['chunk_id', 'ingested_at'],
  };
}

export const barTables: TableSpec[] = OHLCV_SCHEMAS.map(barTableSpec);

/** Instrument definitions (dbn InstrumentDefMsg, the fields the pipeline uses); one row per definition seen. */
export const instrumentsTable: TableSpec = {
  dataset: 'market_data',
  name: 'instruments',
  description: 'Databento instrument definitions',
  columns: [
    col('instrument_id', 'INT64', false),
    col('ts_recv', 'TIMESTAMP', false),
    col('ts_event', 'TIMESTAMP'),
    col('dataset', 'STRING'),
    col('publisher_id', 'INT64'),
    col('raw_symbol', 'STRING'),
    col('instrument_class', 'STRING'),
    col('security_type', 'STRING'),
    col('cfi', 'STRING'),
    col('asset', 'STRING'),
    col('group', 'STRING'),
    col('exchange', 'STRING'),
    col('currency', 'STRING'),
    col('expiration', 'TIMESTAMP'),
    col('activation', 'TIMESTAMP'),
    col('min_price_increment', 'NUMERIC'),
    col('display_factor', 'NUMERIC'),
    col('unit_of_measure', 'STRING'),
    col('unit_of_measure_qty', 'NUMERIC'),
    col('contract_multiplier', 'INT64'),
    col('high_limit_price', 'NUMERIC'),
    col('low_limit_price', 'NUMERIC'),
    col('maturity_year', 'INT64'),
    col('maturity_month', 'INT64'),
    col('maturity_day', 'INT64'),
    col('underlying', 'STRING'),
    col('underlying_id', 'INT64'),
    col('user_defined_instrument', 'STRING'),
    col('leg_count', 'INT64'),
    col('leg_index', 'INT64'),
    col('leg_instrument_id', 'INT64'),
    col('leg_raw_symbol', 'STRING'),
    col('leg_side', 'STRING'),
    col('leg_price', 'NUMERIC'),
    col('leg_ratio_qty_numerator', 'INT64'),
    col('leg_ratio_qty_denominator', 'INT64'),
    col('source', 'STRING'),
    col('ingested_at', 'TIMESTAMP'),
  ],
  key: ['instrument_id', 'ts_recv'],
  cluster: ['raw_symbol', 'instrument_id'],
  lineage: ['source', 'ingested_at'],
};

/**
 * Symbol → instrument mappings by date range `[start_date, end_date)`. The key includes the output symbol because a
 * parent symbol (`NQ.FUT`) maps to many instruments over the same dates.
 */
export const symbologyTable: TableSpec = {
  dataset: 'market_data',
  name: 'symbology',
  description: 'Databento symbology resolutions; end_date exclusive',
  columns: [
    col('dataset', 'STRING', false),
    col('stype_in', 'STRING', false),
    col('input_symbol', 'STRING', false),
    col('stype_out', 'STRING', false),
    col('output_symbol', 'STRING', false),
    col('start_date', 'DATE', false),
    col('end_date', 'DATE', false, 'exclusive'),
    col('source', 'STRING'),
    col('ingested_at', 'TIMESTAMP'),
  ],
  key: ['dataset', 'stype_in', 'input_symbol', 'stype_out', 'output_symbol', 'start_date'],
  cluster: ['input_symbol', 'start_date'],
  lineage: ['source', 'ingested_at'],
};

/** Contract rolls of a continuous series, derived by a named rule (e.g. volume crossover). */
export const rollCalendarTable: TableSpec = {
  dataset: 'market_data',
  name: 'roll_calendar',
  description: 'Roll dates per series (from/to contract) and the rule that chose them',
  columns: [
    col('dataset', 'STRING', false),
    col('series', 'STRING', false),
    col('roll_date', 'DATE', false),
    col('ts_event', 'TIMESTAMP'),
    col('from_instrument_id', 'INT64'),
    col('to_instrument_id', 'INT64'),
    col('from_symbol', 'STRING'),
    col('to_symbol', 'STRING'),
    col('rule', 'STRING'),
    col('from_volume', 'INT64'),
    col('to_volume', 'INT64'),
    col('source', 'STRING'),
    col('computed_at', 'TIMESTAMP'),
  ],
  key: ['series', 'roll_date'],
  cluster: ['series', 'roll_date'],
  lineage: ['source', 'computed_at'],
};

/** One row per (chunk, series): where each chunk stands; the resume point of every backfill. */
export const ingestLedgerTable: TableSpec = {
  dataset: 'ops',
  name: 'ingest_ledger',
  description: 'Per-chunk ingestion status (planned → downloaded → validated → loaded)',
  columns: [
    col('chunk_id', 'STRING', false),
    col('series', 'STRING', false),
    col('dataset', 'STRING', false),
    col('schema', 'STRING', false),
    col('symbols', 'STRING', false),
    col('start', 'TIMESTAMP', false),
    col('end', 'TIMESTAMP', false),
    col('status', 'STRING', false),
    col('rows', 'INT64'),
    col('bytes', 'INT64'),
    col('sha256', 'STRING'),
    col('cost_usd', 'FLOAT64'),
    col('validation', 'STRING', true, 'JSON summary'),
    col('error', 'STRING'),
    col('workflow_id', 'STRING'),
    col('updated_at', 'TIMESTAMP', false),
  ],
  key: ['chunk_id', 'series'],
  cluster: ['series', 'status'],
  lineage: ['updated_at'],
};

export const schemaMigrationsTable: TableSpec = {
  dataset: 'ops',
  name: 'schema_migrations',
  description: 'Core schema versions applied to this warehouse',
  columns: [
    col('version', 'INT64', false),
    col('description', 'STRING'),
    col('checksum', 'STRING', false, 'sha256 of the core table specs at that version'),
    col('applied_at', 'TIMESTAMP', false),
  ],
  key: ['version'],
  lineage: ['applied_at'],
};

export const coreTables: TableSpec[] = [
  ...barTables,
  instrumentsTable,
  symbologyTable,
  rollCalendarTable,
  ingestLedgerTable,
  schemaMigrationsTable,
];

/** Bump when a core spec changes; changes must be additive (new nullable columns) to migrate in place. */
export const CORE_SCHEMA_VERSION = 1;
