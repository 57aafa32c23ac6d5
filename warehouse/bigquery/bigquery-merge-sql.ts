import type { MergeScope } from '../merge-sql';
import { bigqueryDialect as d } from '../sql-dialect';
import type { TableSpec } from '../table-spec';

/**
 * The BigQuery load statements. The goccy emulator runs every join as a nested loop over function-wrapped
 * comparisons (O(target × source): ~5 min for one 6k-row chunk), so nothing here joins: rows are compared as
 * `TO_JSON_STRING(STRUCT(...))` through `IN (subquery)`, which it evaluates in linear time, and the MERGE
 * matches `ON FALSE`. The outcome equals a keyed MERGE that updates changed rows and inserts new ones, in one
 * atomic statement.
 */
export interface ReplaceMergeParts {
  spec: TableSpec;
  target: string;
  /** the staged rows (the whole load) */
  staging: string;
  /** where the new-or-changed staged rows go */
  diff: string;
  scope?: MergeScope;
  deleteMissingInScope?: boolean;
}

const tuple = (cols: string[], alias?: string) =>
  `TO_JSON_STRING(STRUCT(${cols.map((c) => `${alias ? `${alias}.` : ''}${d.ident(c)}`).join(', ')}))`;

function scopeWhere(p: ReplaceMergeParts, alias: string): string {
  if (!p.scope) return 'TRUE';
  const c = `${alias}.${d.ident(p.scope.column)}`;
  return `${c} >= ${p.scope.startLiteral} AND ${c} < ${p.scope.endLiteral}`;
}

/** Columns that identify a row's content: everything but lineage bookkeeping. */
function contentColumns(spec: TableSpec): string[] {
  const lineage = new Set(spec.lineage ?? []);
  return spec.columns.map((c) => c.name).filter((c) => !lineage.has(c));
}

/** CREATE the diff table: staged rows that are not already in the target with identical content. */
export function buildDiffSql(p: ReplaceMergeParts): string {
  const cols = contentColumns(p.spec);
  return [
    `CREATE OR REPLACE TABLE ${p.diff} AS`,
    `SELECT * FROM ${p.staging} AS s`,
    `WHERE ${tuple(cols, 's')} NOT IN (SELECT ${tuple(cols, 't')} FROM ${p.target} AS t WHERE ${scopeWhere(p, 't')})`,
  ].join('\n');
}

/** diff_rows, updated (diff rows whose key is already in the target), deleted (with deleteMissingInScope). */
export function buildDiffCountsSql(p: ReplaceMergeParts): string {
  const key = p.spec.key;
  const deleted = p.deleteMissingInScope
    ? `(SELECT COUNT(*) FROM ${p.target} AS t WHERE ${scopeWhere(p, 't')} AND ${tuple(key, 't')} NOT IN (SELECT ${tuple(key, 'x')} FROM ${p.staging} AS x))`
    : '0';
  return [
    'SELECT COUNT(*) AS diff_rows,',
    `COUNTIF(${tuple(key, 's')} IN (SELECT ${tuple(key, 't')} FROM ${p.target} AS t WHERE ${scopeWhere(p, 't')})) AS updated,`,
    `${deleted} AS deleted`,
    `FROM ${p.diff} AS s`,
  ].join('\n');
}

/** One MERGE: drop the target rows the diff replaces (and, optionally, the scope's rows the load lacks), insert the diff. */
export function buildReplaceMergeSql(p: ReplaceMergeParts): string {
  const key = p.spec.key;
  const cols = p.spec.columns.map((c) => d.ident(c.name));
  let doomed = `${tuple(key, 't')} IN (SELECT ${tuple(key, 'x')} FROM ${p.diff} AS x)`;
  if (p.deleteMissingInScope) {
    if (!p.scope) throw new RangeError('deleteMissingInScope needs a scope');
    doomed = `(${doomed} OR ${tuple(key, 't')} NOT IN (SELECT ${tuple(key, 'y')} FROM ${p.staging} AS y))`;
  }
  return [
    `MERGE INTO ${p.target} AS t`,
    `USING ${p.diff} AS s`,
    'ON FALSE',
    `WHEN NOT MATCHED BY SOURCE AND ${scopeWhere(p, 't')} AND ${doomed} THEN DELETE`,
    `WHEN NOT MATCHED BY TARGET THEN INSERT (${cols.join(', ')}) VALUES (${cols.map((c) => `s.${c}`).join(', ')})`,
  ].join('\n');
}

/** The emulator fast path when every diff row is a new key: a plain INSERT of the diff (see insertFastPath). */
export function buildInsertDiffSql(p: ReplaceMergeParts): string {
  const cols = p.spec.columns.map((c) => d.ident(c.name)).join(', ');
  return `INSERT INTO ${p.target} (${cols}) SELECT ${cols} FROM ${p.diff}`;
}

/**
 * Emulator fast path, step 1 (no diff table): how many staged rows are new or changed, and how many of those
 * replace an existing key. One job; on a reload the key lookup never runs (no staged row passes the filter).
 */
export function buildStagedCountsSql(p: ReplaceMergeParts): string {
  const cols = contentColumns(p.spec);
  return [
    'SELECT COUNT(*) AS diff_rows,',
    `COUNTIF(${tuple(p.spec.key, 's')} IN (SELECT ${tuple(p.spec.key, 't')} FROM ${p.target} AS t WHERE ${scopeWhere(p, 't')})) AS updated`,
    `FROM ${p.staging} AS s`,
    `WHERE ${tuple(cols, 's')} NOT IN (SELECT ${tuple(cols, 't')} FROM ${p.target} AS t WHERE ${scopeWhere(p, 't')})`,
  ].join('\n');
}

/**
 * Emulator fast path, step 2 when every changed row is a new key: insert the staged rows whose content the target
 * lacks, straight from staging. The filter makes it idempotent on its own (a retry after it committed inserts nothing).
 */
export function buildInsertNewFromStagingSql(p: ReplaceMergeParts): string {
  const cols = p.spec.columns.map((c) => d.ident(c.name)).join(', ');
  const content = contentColumns(p.spec);
  return [
    `INSERT INTO ${p.target} (${cols})`,
    `SELECT ${cols} FROM ${p.staging} AS s`,
    `WHERE ${tuple(content, 's')} NOT IN (SELECT ${tuple(content, 't')} FROM ${p.target} AS t WHERE ${scopeWhere(p, 't')})`,
  ].join('\n');
}
