import { WarehouseInputError } from './errors';
import type { MergeScope } from './merge-sql';
import { checkRowShape, stagingText } from './row-values';
import { qualifiedName, type ColumnType, type Row, type TableSpec } from './table-spec';
import type { UpsertOptions } from './warehouse';

/**
 * Shared by both adapters: shape checks, canonical text per value, duplicate keys, rows inside the scope,
 * and the scope as SQL literals.
 */
export function prepareUpsert(
  spec: TableSpec,
  rows: Row[],
  opts: UpsertOptions,
  literal: (type: ColumnType, text: string | null) => string,
): { texts: (string | null)[][]; scope: MergeScope | undefined } {
  checkRowShape(spec, rows);
  const texts = rows.map((row, i) => spec.columns.map((c) => stagingText(spec, c, row[c.name], i)));
  const keyIdx = spec.key.map((k) => spec.columns.findIndex((c) => c.name === k));
  const seen = new Set<string>();
  texts.forEach((t, i) => {
    const key = JSON.stringify(keyIdx.map((j) => t[j]));
    if (seen.has(key)) throw new WarehouseInputError(`${qualifiedName(spec)} row ${i}: duplicate key ${key}`);
    seen.add(key);
  });
  let scope: MergeScope | undefined;
  if (opts.scope) {
    const idx = spec.columns.findIndex((c) => c.name === opts.scope!.column);
    if (idx < 0) throw new WarehouseInputError(`scope column ${opts.scope.column} is not in ${qualifiedName(spec)}`);
    const col = spec.columns[idx];
    const start = stagingText(spec, { ...col, nullable: false }, opts.scope.start, -1);
    const end = stagingText(spec, { ...col, nullable: false }, opts.scope.end, -1);
    scope = { column: col.name, startLiteral: literal(col.type, start), endLiteral: literal(col.type, end) };
    // rows outside the scope would be inserted but never matched by a later reload of the same scope
    texts.forEach((t, i) => {
      const v = t[idx];
      if (v === null || compareCanonical(col.type, v, start!) < 0 || compareCanonical(col.type, v, end!) >= 0) {
        throw new WarehouseInputError(`${qualifiedName(spec)} row ${i}: ${col.name} ${v} is outside the scope [${start}, ${end})`);
      }
    });
  } else if (opts.deleteMissingInScope) {
    throw new WarehouseInputError('deleteMissingInScope needs a scope');
  }
  return { texts, scope };
}

function compareCanonical(type: string, a: string, b: string): number {
  if (type === 'INT64') return BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0;
  if (type === 'FLOAT64' || type === 'NUMERIC') return Number(a) - Number(b);
  // TIMESTAMP/DATE canonical text and strings sort lexicographically
  return a < b ? -1 : a > b ? 1 : 0;
}
