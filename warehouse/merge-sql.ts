import type { SqlDialect } from './sql-dialect';
import type { TableSpec } from './table-spec';

export interface MergeScope {
  column: string;
  /** SQL literals (built by the dialect), so partition pruning sees constants */
  startLiteral: string;
  endLiteral: string;
}

export interface MergeParts {
  dialect: SqlDialect;
  spec: TableSpec;
  /** qualified target table */
  target: string;
  /**
   * the source as a FROM item with exactly the spec's columns: a table reference, or `(SELECT ...)`.
   * The BigQuery emulator accepts only a table reference in MERGE ... USING.
   */
  source: string;
  scope?: MergeScope;
  deleteMissingInScope?: boolean;
}

function keyJoin(p: MergeParts, t = 't', s = 's'): string {
  const { dialect: d } = p;
  const on = p.spec.key.map((k) => `${t}.${d.ident(k)} = ${s}.${d.ident(k)}`);
  if (p.scope) {
    const c = d.ident(p.scope.column);
    on.push(`${t}.${c} >= ${p.scope.startLiteral}`, `${t}.${c} < ${p.scope.endLiteral}`);
  }
  return on.join(' AND ');
}

/**
 * INSERT of the source rows whose key is not in the target (within the scope): the whole MERGE when nothing
 * would be updated or deleted. Rows already present are left alone, so a chunk that is partly loaded already
 * gains only its missing rows.
 */
export function buildInsertMissingSql(p: MergeParts): string {
  const d = p.dialect;
  const cols = p.spec.columns.map((c) => d.ident(c.name)).join(', ');
  return [
    `INSERT INTO ${p.target} (${cols})`,
    `SELECT ${p.spec.columns.map((c) => `s.${d.ident(c.name)}`).join(', ')} FROM ${p.source} AS s`,
    `WHERE NOT EXISTS (SELECT 1 FROM ${p.target} AS t WHERE ${keyJoin(p)})`,
  ].join('\n');
}

/** Columns whose difference counts as a change (not the key, not lineage bookkeeping). */
function valueColumns(spec: TableSpec): string[] {
  const skip = new Set([...spec.key, ...(spec.lineage ?? [])]);
  return spec.columns.map((c) => c.name).filter((c) => !skip.has(c));
}

function differs(p: MergeParts, t = 't', s = 's'): string {
  const cols = valueColumns(p.spec);
  if (cols.length === 0) return 'FALSE';
  return cols.map((c) => `${t}.${p.dialect.ident(c)} IS DISTINCT FROM ${s}.${p.dialect.ident(c)}`).join(' OR ');
}

/**
 * One MERGE: insert new keys, update rows whose values differ, leave identical rows alone (so a reload is a no-op),
 * optionally delete target rows in scope that the source no longer has. The constant scope range in ON lets
 * BigQuery prune partitions. Explicit column lists on both sides (no `INSERT ROW`, goccy #163).
 */
export function buildMergeSql(p: MergeParts): string {
  const { dialect: d, spec } = p;
  const cols = spec.columns.map((c) => d.ident(c.name));
  const nonKey = spec.columns.map((c) => c.name).filter((c) => !spec.key.includes(c));
  const lines = [
    `MERGE INTO ${p.target} AS t`,
    `USING ${p.source} AS s`,
    `ON ${keyJoin(p)}`,
  ];
  if (nonKey.length > 0) {
    lines.push(
      `WHEN MATCHED AND (${differs(p)}) THEN UPDATE SET ${nonKey.map((c) => `${d.ident(c)} = s.${d.ident(c)}`).join(', ')}`,
    );
  }
  lines.push(`WHEN NOT MATCHED THEN INSERT (${cols.join(', ')}) VALUES (${cols.map((c) => `s.${c}`).join(', ')})`);
  if (p.deleteMissingInScope) {
    if (!p.scope) throw new RangeError('deleteMissingInScope needs a scope');
    const c = d.ident(p.scope.column);
    lines.push(
      `WHEN NOT MATCHED BY SOURCE AND t.${c} >= ${p.scope.startLiteral} AND t.${c} < ${p.scope.endLiteral} THEN DELETE`,
    );
  }
  return lines.join('\n');
}

/**
 * What the MERGE will do, counted before it runs: rows in the source, how many are new, how many differ,
 * and (with deleteMissingInScope) how many target rows in scope will go.
 */
export function buildMergeCountsSql(p: MergeParts): string {
  const { dialect: d, spec } = p;
  const k0 = d.ident(spec.key[0]);
  const deleted = p.deleteMissingInScope && p.scope
    ? `(SELECT COUNT(*) FROM ${p.target} AS t WHERE t.${d.ident(p.scope.column)} >= ${p.scope.startLiteral} AND t.${d.ident(p.scope.column)} < ${p.scope.endLiteral} AND NOT EXISTS (SELECT 1 FROM ${p.source} AS s WHERE ${spec.key.map((k) => `t.${d.ident(k)} = s.${d.ident(k)}`).join(' AND ')}))`
    : '0';
  return [
    'SELECT',
    '  COUNT(*) AS rows_in,',
    `  COALESCE(SUM(CASE WHEN t.${k0} IS NULL THEN 1 ELSE 0 END), 0) AS inserted,`,
    `  COALESCE(SUM(CASE WHEN t.${k0} IS NOT NULL AND (${differs(p)}) THEN 1 ELSE 0 END), 0) AS updated,`,
    `  ${deleted} AS deleted`,
    `FROM ${p.source} AS s`,
    `LEFT JOIN ${p.target} AS t ON ${keyJoin(p)}`,
  ].join('\n');
}
