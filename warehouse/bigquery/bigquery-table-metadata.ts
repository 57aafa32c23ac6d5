import { BIGQUERY_TYPES } from '../sql-dialect';
import type { TableSpec, ViewSpec } from '../table-spec';

export interface BigQueryField {
  name: string;
  type: string;
  mode: 'NULLABLE' | 'REQUIRED';
  description?: string;
}

export interface BigQueryTableMetadata {
  schema: { fields: BigQueryField[] };
  timePartitioning?: { type: 'DAY' | 'MONTH' | 'YEAR'; field: string };
  requirePartitionFilter?: boolean;
  clustering?: { fields: string[] };
  description?: string;
  expirationTime?: string;
}

/**
 * tables.insert body for a spec. The emulator stores but does not enforce partitioning and clustering,
 * so this function is what the unit tests pin down.
 */
export function bigQueryTableMetadata(spec: TableSpec): BigQueryTableMetadata {
  const md: BigQueryTableMetadata = {
    schema: {
      fields: spec.columns.map((c) => ({
        name: c.name,
        type: BIGQUERY_TYPES[c.type],
        mode: c.nullable === false ? 'REQUIRED' : 'NULLABLE',
        ...(c.description ? { description: c.description } : {}),
      })),
    },
  };
  if (spec.partition) {
    md.timePartitioning = { type: spec.partition.granularity, field: spec.partition.column };
    if (spec.requirePartitionFilter) md.requirePartitionFilter = true;
  }
  if (spec.cluster?.length) md.clustering = { fields: spec.cluster.slice(0, 4) };
  if (spec.description) md.description = spec.description;
  return md;
}

/** Staging tables: same columns, all NULLABLE (load files carry no NOT NULL), expiring after a day if orphaned. */
export function bigQueryStagingMetadata(spec: TableSpec, now = Date.now()): BigQueryTableMetadata {
  return {
    schema: { fields: bigQueryTableMetadata(spec).schema.fields.map((f) => ({ ...f, mode: 'NULLABLE' })) },
    expirationTime: String(now + 24 * 3600 * 1000),
    description: `staging for ${spec.dataset}.${spec.name}`,
  };
}

export function bigQueryViewMetadata(view: ViewSpec, marker: string): { view: { query: string; useLegacySql: false }; description: string } {
  return {
    view: { query: view.sql('bigquery'), useLegacySql: false },
    description: `${view.description ? `${view.description} ` : ''}${marker}`,
  };
}

/** The API's legacy type names → the spelling specs use. */
export function normalizeBigQueryType(type: string): string {
  const t = type.toUpperCase();
  return ({ INTEGER: 'INT64', FLOAT: 'FLOAT64', BOOLEAN: 'BOOL', BIGDECIMAL: 'BIGNUMERIC' } as Record<string, string>)[t] ?? t;
}
