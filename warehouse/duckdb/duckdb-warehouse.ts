import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue, StatementType } from '@duckdb/node-api';
import { BAR_TABLE } from '../../domain/databento-enums';
import { parseTimeNs } from '../../domain/time';
import { createLogger, type Logger } from '../../logging/logger';
import { appendBarRows } from './bar-rows-appender';
import { stageBarColumns } from './bar-staging';
import { barTableSpec, coreTables, CORE_SCHEMA_VERSION, ingestLedgerTable, schemaMigrationsTable } from '../core-tables';
import { fromDuckDbValue } from './duckdb-values';
import { WarehouseError, WarehouseInjectedFailure, WarehouseInputError, WarehouseQueryError, WarehouseReadOnlyError } from '../errors';
import { ledgerQuery, ledgerToRow, rowToLedger } from '../ledger-rows';
import {
  buildInsertMissingSql,
  buildMergeCountsSql,
  buildMergeSql,
  type MergeParts,
  type MergeScope,
} from '../merge-sql';
import { toDuckDbParams } from '../named-params';
import { prepareUpsert } from '../prepare-upsert';
import { planTable, specChecksum, type ExistingColumn, type TablePlan } from '../schema-plan';
import { duckdbDialect as d, typedLiteral } from '../sql-dialect';
import { stagingName } from '../staging-name';
import { qualifiedName, type Row, type RowValue, type TableSpec, type ViewSpec } from '../table-spec';
import { validateBarColumns } from '../validate-bars';
import type {
  LedgerRow,
  LoadBarsInput,
  LoadBarsResult,
  LoadTestHooks,
  UpsertOptions,
  UpsertResult,
  Warehouse,
  WarehouseAccess,
} from '../warehouse';

const isView = (s: TableSpec | ViewSpec): s is ViewSpec => 'sql' in s;

/**
 * One DuckDB instance per database file per process. Two instances on one file in one process silently lose
 * each other's writes (two series loading at once in one worker lost a whole series), so every warehouse on a
 * file shares its instance and one queue of operations. The instance closes (releasing the file lock for the
 * CLI or another process) when its last warehouse closes.
 */
interface SharedInstance {
  instance: Promise<DuckDBInstance>;
  refs: number;
  queue: Promise<unknown>;
  /** opened READ_ONLY: never writes, so it may sit beside a writer (which sees none of its reads) */
  readOnly: boolean;
}
const sharedInstances = new Map<string, SharedInstance>();

/**
 * DuckDB's default is one thread per core. A worker's loads are small and one at a time per file, while the same
 * cores run the worker's workflow tasks, downloads and the Temporal server: leaving one core free cut the CPU of
 * bench:pipeline's DuckDB work by ~1 s per run and sped up both of its paths (bench:load's first load stays above
 * 500k rows/s; its final checkpoint is slower). DUCKDB_THREADS overrides it, e.g. for heavy ad-hoc queries.
 */
export function duckdbThreads(configured?: number): number {
  return configured ?? Math.max(1, availableParallelism() - 1);
}

/** Instances with limited access are separate from the unlimited one (the worker's) on the same file. */
function instanceKey(file: string, access: WarehouseAccess): string {
  // ':memory:' databases are private to each open
  if (file === ':memory:') return `:memory:#${Math.random()}`;
  const key = path.resolve(file);
  if (!access.readOnly && !access.fileDirectories) return key;
  return `${key}#${JSON.stringify({ readOnly: access.readOnly ?? false, files: access.fileDirectories ?? null })}`;
}

/** A second writing instance on a file would lose writes (see sharedInstances): refuse it. */
function assertOneWriter(key: string, file: string): void {
  const base = path.resolve(file);
  for (const [other, entry] of sharedInstances) {
    if (other !== key && !entry.readOnly && (other === base || other.startsWith(`${base}#`))) {
      throw new WarehouseInputError(`${base} is already open for writing in this process with other access limits; close that warehouse first`);
    }
  }
}

/**
 * Only `dirs` for files (read_csv, COPY, ATTACH, EXPORT, ...), no extension installs or loads, and the
 * configuration locked so that SQL cannot lift either (DuckDB's enable_external_access, allowed_directories).
 */
async function restrictFileAccess(instance: DuckDBInstance, dirs: string[]): Promise<void> {
  const conn = await instance.connect();
  try {
    const list = dirs.map((dir) => d.stringLiteral(dir.endsWith(path.sep) ? dir : `${dir}${path.sep}`));
    await conn.run(`SET allowed_directories = [${list.join(', ')}]`);
    await conn.run('SET enable_external_access = false');
    await conn.run('SET lock_configuration = true');
  } finally {
    conn.closeSync();
  }
}

async function createInstance(file: string, threads: number | undefined, access: WarehouseAccess): Promise<DuckDBInstance> {
  const instance = await DuckDBInstance.create(file, {
    // everything needed (parquet, json) is linked in; never reach for the network
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    // the default 16 MiB checkpoints every few bar chunks, each rewriting the table's last row groups: 64 MiB
    // cut a 32-chunk first load by ~90 ms of ~600 (bench/load.bench.ts). The WAL is durable either way.
    checkpoint_threshold: '64MB',
    // the first open of a file decides; later opens share its instance
    threads: String(duckdbThreads(threads)),
    // an in-memory database cannot be opened read-only; statements are still checked (DuckDbWarehouse.query)
    ...(access.readOnly && file !== ':memory:' ? { access_mode: 'READ_ONLY' } : {}),
  });
  if (!access.fileDirectories) return instance;
  try {
    await restrictFileAccess(instance, access.fileDirectories);
    return instance;
  } catch (err) {
    instance.closeSync();
    throw err;
  }
}

function acquireInstance(file: string, threads: number | undefined, access: WarehouseAccess): { key: string; entry: SharedInstance } {
  const key = instanceKey(file, access);
  let entry = sharedInstances.get(key);
  if (!entry) {
    if (!access.readOnly && file !== ':memory:') assertOneWriter(key, file);
    entry = { instance: createInstance(file, threads, access), refs: 0, queue: Promise.resolve(), readOnly: access.readOnly ?? false };
    sharedInstances.set(key, entry);
    entry.instance.catch(() => sharedInstances.delete(key));
  }
  entry.refs++;
  return { key, entry };
}

/**
 * DuckDB warehouse: one embedded database file, one connection, operations serialised per file (DuckDB
 * transactions are per connection). Schemas stand in for BigQuery datasets.
 */
export class DuckDbWarehouse implements Warehouse {
  readonly kind = 'duckdb' as const;
  private readonly ensuredBars = new Set<string>();
  /** per table: whether its columns are exactly the spec's, in order (learnt by ensureSpecs) */
  private readonly specLayout = new Map<string, boolean>();
  private closed = false;

  private constructor(
    private readonly shared: { key: string; entry: SharedInstance },
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private readonly log: Logger,
    private readonly readOnly: boolean,
  ) {}

  /** `access` limits what SQL may do (the `sql` command); without it the warehouse is the pipeline's, unlimited. */
  static async open(
    file: string,
    log: Logger = createLogger({ name: 'warehouse' }),
    options: { threads?: number; access?: WarehouseAccess } = {},
  ): Promise<DuckDbWarehouse> {
    const access = options.access ?? {};
    if (file !== ':memory:' && !access.readOnly) mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const shared = acquireInstance(file, options.threads, access);
    try {
      const instance = await shared.entry.instance;
      const conn = await instance.connect();
      return new DuckDbWarehouse(shared, instance, conn, log, access.readOnly ?? false);
    } catch (err) {
      shared.entry.refs--;
      throw err;
    }
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new WarehouseError('warehouse is closed'));
    const entry = this.shared.entry;
    const next = entry.queue.then(fn, fn);
    entry.queue = next.catch(() => undefined);
    return next;
  }

  /** Runs SQL (already in DuckDB form) and converts rows; engine errors become WarehouseQueryError. */
  private async exec(sql: string, values?: Record<string, DuckDBValue>): Promise<Record<string, unknown>[]> {
    try {
      const reader = await this.conn.runAndReadAll(sql, values);
      const names = reader.columnNames();
      return reader.getRows().map((row) => {
        const out: Record<string, unknown> = {};
        names.forEach((n, i) => (out[n] = fromDuckDbValue(row[i])));
        return out;
      });
    } catch (err) {
      if (err instanceof WarehouseError) throw err;
      throw new WarehouseQueryError('duckdb', (err as Error).message, { cause: err });
    }
  }

  /** Read-only: every statement, as DuckDB's parser and binder classify it, must be a SELECT. Runs nothing. */
  private async assertSelects(sql: string): Promise<void> {
    let types: StatementType[];
    try {
      const statements = await this.conn.extractStatements(sql);
      types = [];
      for (let i = 0; i < statements.count; i++) {
        const prepared = await statements.prepare(i);
        types.push(prepared.statementType);
        prepared.destroySync();
      }
    } catch (err) {
      throw new WarehouseQueryError('duckdb', (err as Error).message, { cause: err });
    }
    const refused = types.find((type) => type !== StatementType.SELECT);
    if (refused !== undefined) throw new WarehouseReadOnlyError('duckdb', StatementType[refused] ?? `type ${refused}`);
  }

  query<T = Record<string, unknown>>(sql: string, params: Record<string, RowValue> = {}): Promise<T[]> {
    return this.serial(async () => {
      const t = toDuckDbParams(sql);
      const missing = t.names.filter((n) => !(n in params));
      if (missing.length) throw new WarehouseInputError(`query parameters without values: ${missing.join(', ')}`);
      if (this.readOnly) await this.assertSelects(t.sql);
      const values: Record<string, DuckDBValue> = {};
      for (const n of new Set(t.names)) values[n] = params[n] as DuckDBValue;
      return (await this.exec(t.sql, t.names.length ? values : undefined)) as T[];
    });
  }

  private async existingColumns(dataset: string, name: string): Promise<{ kind: 'table' | 'view'; columns: ExistingColumn[] } | null> {
    const tables = await this.exec(
      `SELECT table_type FROM information_schema.tables WHERE table_catalog = current_database() AND table_schema = $s AND table_name = $t`,
      { s: dataset, t: name },
    );
    if (tables.length === 0) return null;
    const cols = await this.exec(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog = current_database() AND table_schema = $s AND table_name = $t ORDER BY ordinal_position`,
      { s: dataset, t: name },
    );
    return {
      kind: tables[0].table_type === 'VIEW' ? 'view' : 'table',
      columns: cols.map((c) => ({ name: String(c.column_name), type: String(c.data_type) })),
    };
  }

  /** Plans every table first (so an incompatible one changes nothing), then creates/migrates, then views. */
  private async ensureSpecs(specs: (TableSpec | ViewSpec)[]): Promise<{ created: string[]; migrated: string[] }> {
    const created: string[] = [];
    const migrated: string[] = [];
    const plans: { spec: TableSpec; plan: TablePlan }[] = [];
    for (const spec of specs.filter((s): s is TableSpec => !isView(s))) {
      const existing = await this.existingColumns(spec.dataset, spec.name);
      if (existing?.kind === 'view') {
        throw new WarehouseInputError(`${qualifiedName(spec)} exists as a view, want a table`);
      }
      const plan = planTable(spec, existing?.columns ?? null, (c) => d.columnType(c.type), qualifiedName(spec));
      plans.push({ spec, plan });
      // only a table with exactly the spec's columns, in order, takes the direct append (appendIntoEmptyScope)
      this.specLayout.set(
        spec.name,
        plan.action === 'create' ||
          (plan.action === 'none' &&
            existing!.columns.length === spec.columns.length &&
            existing!.columns.every((col, i) => col.name === spec.columns[i].name && col.type === d.columnType(spec.columns[i].type))),
      );
    }
    for (const { spec, plan } of plans) {
      if (plan.action === 'none') continue;
      await this.exec(`CREATE SCHEMA IF NOT EXISTS ${d.ident(spec.dataset)}`);
      const ref = d.table(spec.dataset, spec.name);
      if (plan.action === 'create') {
        const cols = spec.columns.map((c) => `${d.ident(c.name)} ${d.columnType(c.type)}${c.nullable === false ? ' NOT NULL' : ''}`);
        await this.exec(`CREATE TABLE IF NOT EXISTS ${ref} (${cols.join(', ')})`);
        created.push(qualifiedName(spec));
      } else {
        for (const c of plan.add) await this.exec(`ALTER TABLE ${ref} ADD COLUMN ${d.ident(c.name)} ${d.columnType(c.type)}`);
        migrated.push(qualifiedName(spec));
        this.log.info({ table: qualifiedName(spec), added: plan.add.map((c) => c.name) }, 'added columns');
      }
    }
    for (const view of specs.filter(isView)) {
      const sql = view.sql('duckdb');
      const marker = `[sql sha256:${createHash('sha256').update(sql).digest('hex').slice(0, 16)}]`;
      const existing = await this.exec(`SELECT comment FROM duckdb_views() WHERE schema_name = $s AND view_name = $v`, {
        s: view.dataset,
        v: view.name,
      });
      if (existing.length > 0 && String(existing[0].comment ?? '').includes(marker)) continue;
      await this.exec(`CREATE SCHEMA IF NOT EXISTS ${d.ident(view.dataset)}`);
      await this.exec(`CREATE OR REPLACE VIEW ${d.table(view.dataset, view.name)} AS ${sql}`);
      const comment = `${view.description ? `${view.description} ` : ''}${marker}`;
      await this.exec(`COMMENT ON VIEW ${d.table(view.dataset, view.name)} IS ${d.stringLiteral(comment)}`);
      (existing.length > 0 ? migrated : created).push(qualifiedName(view));
    }
    return { created, migrated };
  }

  ensureTables(specs: (TableSpec | ViewSpec)[]): Promise<{ created: string[] }> {
    return this.serial(async () => ({ created: (await this.ensureSpecs(specs)).created }));
  }

  ensureSchema(): Promise<{ created: string[]; migrated: string[]; version: number }> {
    return this.serial(async () => {
      const result = await this.ensureSpecs(coreTables);
      // the first loadBars/recordLedger need not re-check what was just ensured (~9 ms of information_schema reads)
      for (const spec of coreTables) this.ensuredBars.add(spec.name);
      const checksum = specChecksum(coreTables);
      const have = await this.exec(`SELECT checksum FROM ${d.table('ops', 'schema_migrations')} WHERE version = $v`, {
        v: CORE_SCHEMA_VERSION,
      });
      if (have.length === 0 || have[0].checksum !== checksum) {
        await this.upsertUnlocked(schemaMigrationsTable, [
          { version: CORE_SCHEMA_VERSION, description: 'core tables', checksum, applied_at: new Date().toISOString() },
        ]);
      }
      return { ...result, version: CORE_SCHEMA_VERSION };
    });
  }

  private async ensureBarTable(spec: TableSpec): Promise<void> {
    if (this.ensuredBars.has(spec.name)) return;
    await this.ensureSpecs([spec]);
    this.ensuredBars.add(spec.name);
  }

  loadBars(input: LoadBarsInput, hooks: LoadTestHooks = {}): Promise<LoadBarsResult> {
    return this.serial(async () => {
      const { chunk, columns } = input;
      const spec = barTableSpec(chunk.schema);
      const table = qualifiedName(spec);
      validateBarColumns(table, chunk, columns);
      const symbolAt = typeof input.symbol === 'function' ? input.symbol : (i: number) => (input.symbol as (string | null)[])[i] ?? null;
      await this.ensureBarTable(spec);
      const ingested = BigInt((input.ingestedAt ?? new Date()).getTime()) * 1_000_000n;
      const scope: MergeScope = {
        column: 'ts_event',
        startLiteral: d.timestampLiteral(parseTimeNs(chunk.start)),
        endLiteral: d.timestampLiteral(parseTimeNs(chunk.end)),
      };
      const t0 = performance.now();
      const appended = await this.appendIntoEmptyScope(spec, scope, input, symbolAt, ingested, hooks);
      if (appended) {
        if (hooks.failAfter === 'merge') throw new WarehouseInjectedFailure('merge');
        this.log.debug({ table, chunk: chunk.chunkId, rows: columns.length, inserted: columns.length, appendMs: performance.now() - t0 }, 'bars appended');
        return { rows: columns.length, inserted: columns.length, updated: 0, unchanged: 0, table };
      }
      const stg = stagingName(BAR_TABLE[chunk.schema], chunk.chunkId);
      await stageBarColumns(this.conn, { name: stg, temp: true }, columns, symbolAt);
      const tStage = performance.now();
      if (hooks.failAfter === 'stage') throw new WarehouseInjectedFailure('stage');
      const source = [
        '(SELECT CAST(ts_event AS TIMESTAMP) AS ts_event, CAST(rtype AS BIGINT) AS rtype,',
        'CAST(publisher_id AS BIGINT) AS publisher_id, CAST(instrument_id AS BIGINT) AS instrument_id,',
        'CAST(open AS DECIMAL(38,9)) AS open, CAST(high AS DECIMAL(38,9)) AS high,',
        'CAST(low AS DECIMAL(38,9)) AS low, CAST(close AS DECIMAL(38,9)) AS close, volume, symbol,',
        `${d.stringLiteral(chunk.dataset)} AS dataset, ${d.stringLiteral(chunk.chunkId)} AS chunk_id,`,
        `${d.timestampLiteral(ingested)} AS ingested_at FROM temp.main.${d.ident(stg)})`,
      ].join(' ');
      const parts = { dialect: d, spec, target: d.table(spec.dataset, spec.name), source, scope };
      const counts = await this.inTransaction(() => this.countThenMerge(parts));
      if (hooks.failAfter === 'merge') throw new WarehouseInjectedFailure('merge');
      await this.exec(`DROP TABLE IF EXISTS temp.main.${d.ident(stg)}`);
      const inserted = Number(counts.inserted);
      const updated = Number(counts.updated);
      this.log.debug(
        { table, chunk: chunk.chunkId, rows: columns.length, inserted, updated, stageMs: tStage - t0, mergeMs: performance.now() - tStage },
        'bars loaded',
      );
      return { rows: columns.length, inserted, updated, unchanged: columns.length - inserted - updated, table };
    });
  }

  /**
   * The first load of a chunk (its range holds no rows yet): one transaction that checks the range is empty and
   * appends the rows straight into the table (no staging, no INSERT … SELECT). Commits all rows or, on any error
   * or crash, none. Returns false, having written nothing, when the range has rows already (a reload, an overlap,
   * a restatement, an earlier partial load: the counted MERGE handles those) or the table's columns are not
   * exactly the spec's (a table migrated or made by hand).
   */
  private async appendIntoEmptyScope(
    spec: TableSpec,
    scope: MergeScope,
    input: LoadBarsInput,
    symbolAt: (i: number) => string | null,
    ingestedAtNs: bigint,
    hooks: LoadTestHooks,
  ): Promise<boolean> {
    // column names as ensureSpecs found them (ensureBarTable has run it for this table; unknown: take the MERGE);
    // the appender re-checks the types, free, in case a column was added since
    if (this.specLayout.get(spec.name) !== true) return false;
    const c = d.ident(scope.column);
    return this.inTransaction(async () => {
      const present = await this.exec(
        `SELECT 1 AS present FROM ${d.table(spec.dataset, spec.name)} AS t WHERE t.${c} >= ${scope.startLiteral} AND t.${c} < ${scope.endLiteral} LIMIT 1`,
      );
      if (present.length > 0) return false;
      const appender = await this.conn.createAppender(spec.name, spec.dataset);
      try {
        const lineage = { dataset: input.chunk.dataset, chunkId: input.chunk.chunkId, ingestedAtNs };
        if (!appendBarRows(appender, input.columns, symbolAt, lineage)) return false;
      } finally {
        appender.closeSync();
      }
      // rolled back by inTransaction: nothing of the chunk is visible
      if (hooks.failAfter === 'stage') throw new WarehouseInjectedFailure('stage');
      return true;
    });
  }

  /**
   * Inside the caller's transaction: count what the MERGE would do, then run it — or skip it when nothing changes
   * (a reload), or INSERT only the missing keys when nothing would be updated or deleted (a first load, or a chunk
   * partly loaded before), both cheaper than the MERGE and equivalent under the transaction (this connection is
   * the only writer).
   */
  private async countThenMerge(parts: MergeParts): Promise<Record<string, unknown>> {
    const [c] = await this.exec(buildMergeCountsSql(parts));
    const inserted = Number(c.inserted);
    const updated = Number(c.updated);
    const deleted = Number(c.deleted);
    if (updated === 0 && deleted === 0) {
      if (inserted > 0) await this.exec(buildInsertMissingSql(parts));
    } else {
      await this.exec(buildMergeSql(parts));
    }
    return c;
  }

  private async inTransaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.exec('BEGIN TRANSACTION');
    try {
      const out = await fn();
      await this.exec('COMMIT');
      return out;
    } catch (err) {
      await this.exec('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  upsertRows(spec: TableSpec, rows: Row[], opts: UpsertOptions = {}, hooks: LoadTestHooks = {}): Promise<UpsertResult> {
    return this.serial(() => this.upsertUnlocked(spec, rows, opts, hooks));
  }

  private async upsertUnlocked(spec: TableSpec, rows: Row[], opts: UpsertOptions = {}, hooks: LoadTestHooks = {}): Promise<UpsertResult> {
    const { texts, scope } = prepareUpsert(spec, rows, opts, (type, text) => typedLiteral(d, type, text));
    const stg = stagingName(spec.name, `upsert_${process.pid}`);
    await this.exec(`CREATE OR REPLACE TEMP TABLE ${d.ident(stg)} (${spec.columns.map((c) => `${d.ident(c.name)} VARCHAR`).join(', ')})`);
    const appender = await this.conn.createAppender(stg, 'main', 'temp');
    try {
      for (const row of texts) {
        for (const v of row) {
          if (v === null) appender.appendNull();
          else appender.appendVarchar(v);
        }
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    if (hooks.failAfter === 'stage') throw new WarehouseInjectedFailure('stage');
    const source = `(SELECT ${spec.columns.map((c) => `CAST(${d.ident(c.name)} AS ${d.columnType(c.type)}) AS ${d.ident(c.name)}`).join(', ')} FROM temp.main.${d.ident(stg)})`;
    const parts = {
      dialect: d,
      spec,
      target: d.table(spec.dataset, spec.name),
      source,
      scope,
      deleteMissingInScope: opts.deleteMissingInScope ?? false,
    };
    const counts = await this.inTransaction(() => this.countThenMerge(parts));
    await this.exec(`DROP TABLE IF EXISTS temp.main.${d.ident(stg)}`);
    return { rows: rows.length, inserted: Number(counts.inserted), updated: Number(counts.updated), deleted: Number(counts.deleted) };
  }

  recordLedger(row: LedgerRow): Promise<void> {
    return this.serial(async () => {
      await this.ensureBarTable(ingestLedgerTable);
      await this.upsertUnlocked(ingestLedgerTable, [ledgerToRow(row)]);
    });
  }

  ledger(filter?: { series?: string; symbol?: string; status?: LedgerRow['status'] }): Promise<LedgerRow[]> {
    const q = ledgerQuery(d.table('ops', 'ingest_ledger'), d.ident, filter);
    return this.query(q.sql, q.params).then((rows) => rows.map(rowToLedger));
  }

  close(): Promise<void> {
    return this.serial(async () => {
      this.closed = true;
      const { key, entry } = this.shared;
      if (entry.refs === 1) {
        // the last warehouse on this file: checkpoint on DuckDB's threads first, so the closeSync below has nothing
        // left to write. Closing checkpointed synchronously, blocking the event loop ~20 ms per activity (a worker's
        // workflow tasks and heartbeats waited behind it). A failed checkpoint leaves the WAL, replayed on next open.
        await this.exec('CHECKPOINT').catch(() => undefined);
      }
      this.conn.closeSync();
      if (--entry.refs === 0) {
        // removed before closing, synchronously: a later open creates a fresh instance after this one is gone
        sharedInstances.delete(key);
        this.instance.closeSync();
      }
    });
  }
}

