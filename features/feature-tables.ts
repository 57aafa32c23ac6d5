import type { ColumnSpec, TableSpec } from '../warehouse/table-spec';
import { FEATURE_CATALOG } from './feature-catalog';

const ID_TYPES: Record<string, ColumnSpec['type']> = { date: 'DATE', instrument_id: 'INT64', close: 'NUMERIC', volume: 'INT64' };

/** `training.daily_ml_matrix`: one row per ZL.c.0 trading date; columns from FEATURE_CATALOG. */
export const dailyMlMatrixTable: TableSpec = {
  dataset: 'training',
  name: 'daily_ml_matrix',
  description: 'ZL daily feature matrix (no look-ahead; targets are forward ZL returns). See docs/feature-catalog.md',
  columns: FEATURE_CATALOG.map((e) => ({
    name: e.column,
    type: ID_TYPES[e.column] ?? 'FLOAT64',
    nullable: e.kind !== 'id',
    description: e.formula.length > 1000 ? e.formula.slice(0, 1000) : e.formula,
  })),
  key: ['date'],
  partition: { column: 'date', granularity: 'YEAR' },
};
