import { createHash } from 'node:crypto';
import { WarehouseSchemaError, type SchemaMismatch } from './errors';
import type { ColumnSpec, TableSpec, ViewSpec } from './table-spec';

export interface ExistingColumn {
  name: string;
  /** the engine's type name, normalised by the adapter to the dialect's spelling (e.g. `DECIMAL(38,9)`, `INT64`) */
  type: string;
}

export type TablePlan =
  | { action: 'create' }
  | { action: 'none' }
  | { action: 'migrate'; add: ColumnSpec[] };

/**
 * Decides what to do with one table: create it, leave it, or add missing nullable columns (the only migration done
 * in place). A type mismatch or a missing required column throws WarehouseSchemaError before anything changes.
 * Extra columns in the existing table are tolerated (a newer writer may have added them).
 */
export function planTable(
  spec: TableSpec,
  existing: ExistingColumn[] | null,
  typeName: (c: ColumnSpec) => string,
  qualified: string,
): TablePlan {
  if (!existing) return { action: 'create' };
  const byName = new Map(existing.map((c) => [c.name.toLowerCase(), c]));
  const mismatches: SchemaMismatch[] = [];
  const add: ColumnSpec[] = [];
  for (const col of spec.columns) {
    const have = byName.get(col.name.toLowerCase());
    const want = typeName(col);
    if (!have) {
      if (col.nullable === false) mismatches.push({ column: col.name, expected: `${want} NOT NULL`, actual: null });
      else add.push(col);
    } else if (have.type.toUpperCase() !== want.toUpperCase()) {
      mismatches.push({ column: col.name, expected: want, actual: have.type });
    }
  }
  if (mismatches.length > 0) throw new WarehouseSchemaError(qualified, mismatches);
  return add.length > 0 ? { action: 'migrate', add } : { action: 'none' };
}

/** Fingerprint of a set of specs, recorded in ops.schema_migrations. */
export function specChecksum(specs: (TableSpec | ViewSpec)[]): string {
  const h = createHash('sha256');
  for (const s of specs) h.update(JSON.stringify('sql' in s ? { view: s.sql('bigquery') } : { ...s }));
  return h.digest('hex');
}

