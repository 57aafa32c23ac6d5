import type { ColumnSpec, TableSpec } from '../warehouse/table-spec';

const col = (name: string, type: ColumnSpec['type'], nullable: boolean, description?: string): ColumnSpec => ({
  name,
  type,
  nullable,
  ...(description ? { description } : {}),
});

/** FRED observations, one row per series × date × real-time start (a vintage). */
export const fredEconomicTable: TableSpec = {
  dataset: 'raw_intelligence',
  name: 'fred_economic',
  description: 'FRED series observations (api.stlouisfed.org or the local gateway over recordings)',
  columns: [
    col('series_id', 'STRING', false),
    col('date', 'DATE', false, 'observation date'),
    col('value', 'FLOAT64', true, 'numeric value; null where FRED reports "."'),
    col('value_text', 'STRING', true, 'the value exactly as FRED sent it'),
    col('realtime_start', 'DATE', false, 'first day of the vintage the value belongs to'),
    col('realtime_end', 'DATE', false),
    col('ingested_at', 'TIMESTAMP', false),
  ],
  key: ['series_id', 'date', 'realtime_start'],
  partition: { column: 'date', granularity: 'YEAR' },
  cluster: ['series_id', 'date'],
  lineage: ['ingested_at'],
};
