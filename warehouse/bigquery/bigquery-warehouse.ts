import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BigQuery, type Dataset, type Table } from '@google-cloud/bigquery';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { OAuth2Client } from 'google-auth-library';
import { BAR_TABLE } from '../../domain/databento-enums';
import { parseTimeNs } from '../../domain/time';
import { createLogger, type Logger } from '../../logging/logger';
import type { OhlcvColumns } from '../../dbn/ohlcv-columns';
import { stageBarColumns } from '../duckdb/bar-staging';
import {
  bigQueryStagingMetadata,
  bigQueryTableMetadata,
  bigQueryViewMetadata,
  normalizeBigQueryType,
} from './bigquery-table-metadata';
import { fromBigQueryRows, type RawField } from './bigquery-values';
import { barTableSpec, coreTables, CORE_SCHEMA_VERSION, ingestLedgerTable, schemaMigrationsTable } from '../core-tables';
import { WarehouseError, WarehouseInjectedFailure, WarehouseInputError, WarehouseQueryError, WarehouseReadOnlyError } from '../errors';
import { ledgerQuery, ledgerToRow, rowToLedger } from '../ledger-rows';
import {
  buildDiffCountsSql,
  buildDiffSql,
  buildInsertDiffSql,
  buildInsertNewFromStagingSql,
  buildReplaceMergeSql,
  buildStagedCountsSql,
} from './bigquery-merge-sql';
import type { MergeScope } from '../merge-sql';
import { prepareUpsert } from '../prepare-upsert';
import { planTable, specChecksum, type TablePlan } from '../schema-plan';
import { bigqueryDialect as d, typedLiteral } from '../sql-dialect';
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
} from '../warehouse';

export interface BigQueryWarehouseConfig {
  projectId: string;
  /** e.g. the emulator's `http://127.0.0.1:9050`; a dummy OAuth client is used with it (no ADC, no metadata server) */
  apiEndpoint?: string;
  location?: string;
  /** prepended to every dataset this adapter creates or writes (isolation); `query()` SQL is passed through as is */
  datasetPrefix?: string;
  /** client retries on 429/5xx (default true); tests turn it off so emulator errors fail fast */
  autoRetry?: boolean;
  /**
   * When a load adds only new keys, write them with `INSERT ... SELECT` instead of the MERGE. Linear on the
   * emulator (whose MERGE is O(target × source) even `ON FALSE`), but two concurrent INSERTs of the same keys could
   * both commit, so it defaults to on only with `apiEndpoint` (the emulator); real BigQuery always MERGEs.
   */
  insertFastPath?: boolean;
  /**
   * `query()` runs only SELECT statements: a dry run (validated, never run, free) must say `statementType`
   * SELECT, or WarehouseReadOnlyError is thrown and nothing runs. The goccy emulator runs "dry runs" for real and
   * calls every statement SELECT, so with `apiEndpoint` a read-only `query()` runs nothing at all.
   */
  readOnly?: boolean;
}

const isView = (s: TableSpec | ViewSpec): s is ViewSpec => 'sql' in s;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface ApiErrorLike {
  code?: number;
  message?: string;
  errors?: { reason?: string; message?: string }[];
}

function isAlreadyExists(err: unknown): boolean {
  const e = err as ApiErrorLike;
  // real BigQuery: 409 duplicate; goccy emulator: 500 "job X is already created"
  return e?.code === 409 || /already (exists|created)/i.test(e?.message ?? '');
}

function isNotFound(err: unknown): boolean {
  return (err as ApiErrorLike)?.code === 404;
}

export function toQueryError(err: unknown, what: string): WarehouseError {
  if (err instanceof WarehouseError) return err;
  const e = err as ApiErrorLike;
  const reason = e?.errors?.[0]?.reason ?? null;
  // two DML statements changing one partition at once: one fails and may simply run again (loads are idempotent)
  const concurrentUpdate = /could not serialize access to table .* due to concurrent update/i.test(e?.message ?? '');
  const retryable = e?.code === 429 || e?.code === 503 || reason === 'backendError' || reason === 'rateLimitExceeded' || concurrentUpdate;
  // no `cause`: the client's error carries the HTTP request, whose headers hold the bearer token
  const message = (e?.message ?? String(err)).slice(0, 600); // the emulator appends whole Go stack traces
  return new WarehouseQueryError('bigquery', `${what}: ${message}${e?.code ? ` (HTTP ${e.code})` : ''}`, { reason, retryable });
}

/** Named parameters as the REST API wants them: values as strings, with their types. */
function queryParameters(params: Record<string, RowValue> | undefined): { params?: Record<string, unknown>; types?: Record<string, string> } {
  if (!params || Object.keys(params).length === 0) return {};
  const values: Record<string, unknown> = {};
  const types: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    if (v === null) {
      values[k] = null;
      types[k] = 'STRING';
    } else if (typeof v === 'bigint') {
      values[k] = v.toString();
      types[k] = 'INT64';
    } else if (typeof v === 'number') {
      // the REST API wants parameter values as strings (the emulator refuses JSON numbers)
      values[k] = String(v);
      types[k] = Number.isSafeInteger(v) ? 'INT64' : 'FLOAT64';
    } else if (typeof v === 'boolean') {
      values[k] = String(v);
      types[k] = 'BOOL';
    } else {
      values[k] = v;
      types[k] = 'STRING';
    }
  }
  return { params: values, types };
}

/**
 * BigQuery warehouse. Writes go through load jobs into staging tables and one MERGE per load: no streaming
 * inserts (they cost money and block DML on the rows for ~30 min). Bars are staged as Parquet written by an
 * in-memory DuckDB.
 */
export class BigQueryWarehouse implements Warehouse {
  readonly kind = 'bigquery' as const;
  private duck: Promise<{ instance: DuckDBInstance; conn: DuckDBConnection }> | null = null;
  private readonly ensuredBars = new Set<string>();
  private readonly ensuredDatasets = new Set<string>();
  private loadQueue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly bq: BigQuery,
    private readonly config: BigQueryWarehouseConfig,
    private readonly log: Logger,
  ) {}

  static async open(config: BigQueryWarehouseConfig, log: Logger = createLogger({ name: 'warehouse' })): Promise<BigQueryWarehouse> {
    const options: ConstructorParameters<typeof BigQuery>[0] = {
      projectId: config.projectId,
      ...(config.location ? { location: config.location } : {}),
      retryOptions: { autoRetry: config.autoRetry ?? true },
    };
    if (config.apiEndpoint) {
      // with a custom endpoint the client must still get an auth client, or uploads crash (see reference §3)
      const authClient = new OAuth2Client();
      authClient.setCredentials({ access_token: 'emulator', expiry_date: Date.now() + 365 * 24 * 3600 * 1000 });
      Object.assign(options, { apiEndpoint: config.apiEndpoint, authClient });
    }
    // BIGQUERY_EMULATOR_HOST would silently override apiEndpoint and break upload URLs
    const saved = process.env.BIGQUERY_EMULATOR_HOST;
    delete process.env.BIGQUERY_EMULATOR_HOST;
    try {
      return new BigQueryWarehouse(new BigQuery(options), config, log);
    } finally {
      if (saved !== undefined) process.env.BIGQUERY_EMULATOR_HOST = saved;
    }
  }

  private dsName(dataset: string): string {
    return `${this.config.datasetPrefix ?? ''}${dataset}`;
  }

  private ref(dataset: string, name: string): string {
    return d.table(this.dsName(dataset), name);
  }

  private table(dataset: string, name: string): Table {
    return this.bq.dataset(this.dsName(dataset)).table(name);
  }

  private async ensureDataset(dataset: string): Promise<Dataset> {
    const name = this.dsName(dataset);
    const ds = this.bq.dataset(name);
    if (this.ensuredDatasets.has(name)) return ds;
    try {
      await ds.get({ autoCreate: true, ...(this.config.location ? { location: this.config.location } : {}) });
    } catch (err) {
      if (!isAlreadyExists(err)) throw toQueryError(err, `create dataset ${name}`);
    }
    this.ensuredDatasets.add(name);
    return ds;
  }

  private async request<T>(uri: string, qs: Record<string, unknown>): Promise<T> {
    return new Promise((resolve, reject) => {
      (this.bq as unknown as { request: (o: object, cb: (e: unknown, r: T) => void) => void }).request({ uri, qs }, (err, resp) =>
        err ? reject(err) : resolve(resp),
      );
    });
  }

  /** Runs one statement as a query job and returns raw-converted rows (all pages). */
  private async run(sql: string, params?: Record<string, RowValue>, jobId?: string): Promise<Record<string, unknown>[]> {
    try {
      const [job] = await this.bq.createQueryJob({
        query: sql,
        useLegacySql: false,
        ...queryParameters(params),
        ...(jobId ? { jobId } : {}),
        ...(this.config.location ? { location: this.config.location } : {}),
      });
      const out: Record<string, unknown>[] = [];
      let pageToken: string | undefined;
      for (;;) {
        const resp = await this.request<{
          jobComplete?: boolean;
          schema?: { fields: RawField[] };
          rows?: { f: { v: unknown }[] }[];
          pageToken?: string;
        }>(`/queries/${job.id}`, {
          'formatOptions.useInt64Timestamp': true,
          timeoutMs: 10_000,
          ...(this.config.location ? { location: this.config.location } : {}),
          ...(pageToken ? { pageToken } : {}),
        });
        if (resp.jobComplete === false) continue;
        out.push(...fromBigQueryRows(resp.schema?.fields ?? [], resp.rows));
        if (!resp.pageToken) return out;
        pageToken = resp.pageToken;
      }
    } catch (err) {
      throw toQueryError(err, 'query failed');
    }
  }

  query<T = Record<string, unknown>>(sql: string, params: Record<string, RowValue> = {}): Promise<T[]> {
    if (!this.config.readOnly) return this.run(sql, params) as Promise<T[]>;
    return this.assertSelect(sql, params).then(() => this.run(sql, params) as Promise<T[]>);
  }

  /** Read-only (see BigQueryWarehouseConfig.readOnly): a dry run must classify the statement as a SELECT. */
  private async assertSelect(sql: string, params: Record<string, RowValue>): Promise<void> {
    if (this.config.apiEndpoint) {
      throw new WarehouseReadOnlyError('bigquery', null, `the endpoint ${this.config.apiEndpoint} (the emulator) cannot dry-run a statement to tell a query from a change`);
    }
    let type: string | undefined;
    try {
      const [job] = await this.bq.createQueryJob({
        query: sql,
        useLegacySql: false,
        dryRun: true,
        ...queryParameters(params),
        ...(this.config.location ? { location: this.config.location } : {}),
      });
      type = job.metadata?.statistics?.query?.statementType;
    } catch (err) {
      throw toQueryError(err, 'dry run failed');
    }
    if (type !== 'SELECT') throw new WarehouseReadOnlyError('bigquery', type ?? null, 'the dry run gave no statement type');
  }

  private async existingColumns(dataset: string, name: string): Promise<{ kind: 'table' | 'view'; columns: { name: string; type: string }[] } | null> {
    try {
      const [md] = await this.table(dataset, name).getMetadata();
      const fields = (md.schema?.fields ?? []) as RawField[];
      return { kind: md.type === 'VIEW' ? 'view' : 'table', columns: fields.map((f) => ({ name: f.name, type: normalizeBigQueryType(f.type) })) };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw toQueryError(err, `get table ${dataset}.${name}`);
    }
  }

  private async ensureSpecs(specs: (TableSpec | ViewSpec)[]): Promise<{ created: string[]; migrated: string[] }> {
    const created: string[] = [];
    const migrated: string[] = [];
    const plans: { spec: TableSpec; plan: TablePlan }[] = [];
    for (const spec of specs.filter((s): s is TableSpec => !isView(s))) {
      const existing = await this.existingColumns(spec.dataset, spec.name);
      if (existing?.kind === 'view') throw new WarehouseInputError(`${qualifiedName(spec)} exists as a view, want a table`);
      plans.push({ spec, plan: planTable(spec, existing?.columns ?? null, (c) => d.columnType(c.type), qualifiedName(spec)) });
    }
    for (const { spec, plan } of plans) {
      if (plan.action === 'none') continue;
      const ds = await this.ensureDataset(spec.dataset);
      if (plan.action === 'create') {
        try {
          await ds.createTable(spec.name, bigQueryTableMetadata(spec));
          created.push(qualifiedName(spec));
        } catch (err) {
          if (!isAlreadyExists(err)) throw toQueryError(err, `create table ${qualifiedName(spec)}`);
        }
      } else {
        for (const c of plan.add) {
          await this.run(`ALTER TABLE ${this.ref(spec.dataset, spec.name)} ADD COLUMN IF NOT EXISTS ${d.ident(c.name)} ${d.columnType(c.type)}`);
        }
        migrated.push(qualifiedName(spec));
        this.log.info({ table: qualifiedName(spec), added: plan.add.map((c) => c.name) }, 'added columns');
      }
    }
    for (const view of specs.filter(isView)) {
      const sql = view.sql('bigquery');
      const marker = `[sql sha256:${createHash('sha256').update(sql).digest('hex').slice(0, 16)}]`;
      const ds = await this.ensureDataset(view.dataset);
      const table = ds.table(view.name);
      let existing: { description?: string } | null = null;
      try {
        [existing] = await table.getMetadata();
      } catch (err) {
        if (!isNotFound(err)) throw toQueryError(err, `get view ${qualifiedName(view)}`);
      }
      if (existing && String(existing.description ?? '').includes(marker)) continue;
      try {
        if (existing) await table.setMetadata(bigQueryViewMetadata(view, marker));
        else await ds.createTable(view.name, bigQueryViewMetadata(view, marker));
      } catch (err) {
        throw toQueryError(err, `create view ${qualifiedName(view)}`);
      }
      (existing ? migrated : created).push(qualifiedName(view));
    }
    return { created, migrated };
  }

  async ensureTables(specs: (TableSpec | ViewSpec)[]): Promise<{ created: string[] }> {
    return { created: (await this.ensureSpecs(specs)).created };
  }

  async ensureSchema(): Promise<{ created: string[]; migrated: string[]; version: number }> {
    const result = await this.ensureSpecs(coreTables);
    const checksum = specChecksum(coreTables);
    const have = await this.run(`SELECT checksum FROM ${this.ref('ops', 'schema_migrations')} WHERE version = @v`, { v: CORE_SCHEMA_VERSION });
    if (have.length === 0 || have[0].checksum !== checksum) {
      await this.upsertRows(schemaMigrationsTable, [
        { version: CORE_SCHEMA_VERSION, description: 'core tables', checksum, applied_at: new Date().toISOString() },
      ]);
    }
    return { ...result, version: CORE_SCHEMA_VERSION };
  }

  private duckdb(): Promise<{ instance: DuckDBInstance; conn: DuckDBConnection }> {
    this.duck ??= (async () => {
      const instance = await DuckDBInstance.create(':memory:', {
        autoinstall_known_extensions: 'false',
        autoload_known_extensions: 'false',
      });
      const conn = await instance.connect();
      await conn.run(`SET TimeZone = 'UTC'`);
      return { instance, conn };
    })();
    return this.duck;
  }

  /**
   * Loads a file into a staging table by a load job with a deterministic id. If that job already exists (a retry)
   * and its staging table still holds the rows, it is reused; if the staging table is gone (an earlier load
   * finished and cleaned up), the file is loaded again under a fresh id.
   */
  private async loadStaging(spec: TableSpec, stg: string, file: string, format: 'PARQUET' | 'NEWLINE_DELIMITED_JSON', jobId: string, rows: number): Promise<string> {
    const ds = await this.ensureDataset(spec.dataset);
    const table = ds.table(stg);
    const meta = bigQueryStagingMetadata(spec);
    const submit = async (id: string): Promise<'done' | 'exists'> => {
      try {
        await table.get({ autoCreate: true, ...meta });
        const [job] = await table.createLoadJob(file, {
          sourceFormat: format,
          writeDisposition: 'WRITE_TRUNCATE',
          createDisposition: 'CREATE_IF_NEEDED',
          schema: meta.schema,
          jobId: id,
          ...(this.config.location ? { location: this.config.location } : {}),
        });
        await this.waitForJob(job.id!);
        return 'done';
      } catch (err) {
        if (isAlreadyExists(err)) return 'exists';
        throw toQueryError(err, `load job ${id}`);
      }
    };
    if ((await submit(jobId)) === 'done') return jobId;
    const ok = await this.waitForJob(jobId).then(
      () => true,
      () => false,
    );
    if (ok) {
      const [md] = await table.getMetadata().catch(() => [null]);
      if (md && Number(md.numRows ?? -1) === rows) {
        this.log.info({ jobId, staging: stg }, 'reusing staging from an earlier load job');
        return jobId;
      }
    }
    const retryId = `${jobId}_r${randomUUID().slice(0, 8)}`;
    if ((await submit(retryId)) !== 'done') throw new WarehouseQueryError('bigquery', `load job id collision: ${retryId}`);
    return retryId;
  }

  private async waitForJob(jobId: string): Promise<void> {
    const job = this.bq.job(jobId, this.config.location ? { location: this.config.location } : {});
    for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
      const [md] = await job.getMetadata();
      if (md.status?.state === 'DONE') {
        if (md.status.errorResult) {
          throw new WarehouseQueryError('bigquery', `job ${jobId} failed: ${md.status.errorResult.message}`, {
            reason: md.status.errorResult.reason ?? null,
          });
        }
        return;
      }
      await sleep(delay);
    }
  }

  /**
   * diff (new or changed staged rows) → counts → one MERGE that replaces/inserts exactly the diff. A retry after a
   * crash at any point recomputes the diff from staging and converges to the same rows.
   *
   * On the emulator (insertFastPath) the diff is first only counted from staging: a reload then stops there and a
   * load of new keys is one INSERT from staging; only restated rows take the diff-table MERGE. That saves a
   * CREATE TABLE AS and a DROP per load: on the goccy emulator each scans or rewrites in proportion to the whole
   * database (~1 s and hundreds of MiB of never-freed heap per DROP with 229k bars loaded).
   */
  private async mergeFromStaging(spec: TableSpec, stg: string, scope: MergeScope | undefined, deleteMissingInScope: boolean, hooks: LoadTestHooks) {
    const diffName = `${stg}_diff`;
    const parts = {
      spec,
      target: this.ref(spec.dataset, spec.name),
      staging: this.ref(spec.dataset, stg),
      diff: this.ref(spec.dataset, diffName),
      scope,
      deleteMissingInScope,
    };
    const fastPath = (this.config.insertFastPath ?? Boolean(this.config.apiEndpoint)) && !deleteMissingInScope;
    let counts: Record<string, unknown> | undefined;
    if (fastPath) {
      [counts] = await this.run(buildStagedCountsSql(parts));
      if (Number(counts.updated) === 0) {
        if (Number(counts.diff_rows) > 0) await this.run(buildInsertNewFromStagingSql(parts));
        counts = { ...counts, deleted: 0 };
      } else {
        counts = undefined; // restated rows: the general path below
      }
    }
    const dropped = [stg];
    if (!counts) {
      await this.run(buildDiffSql(parts));
      dropped.unshift(diffName);
      [counts] = await this.run(buildDiffCountsSql(parts));
      const updated = Number(counts.updated);
      const deleted = Number(counts.deleted);
      if (fastPath && updated === 0 && deleted === 0) {
        if (Number(counts.diff_rows) > 0) await this.run(buildInsertDiffSql(parts));
      } else if (Number(counts.diff_rows) > 0 || deleted > 0) {
        await this.run(buildReplaceMergeSql(parts));
      }
    }
    const diffRows = Number(counts.diff_rows);
    const updated = Number(counts.updated);
    const deleted = Number(counts.deleted);
    if (hooks.failAfter === 'merge') throw new WarehouseInjectedFailure('merge');
    for (const name of dropped) {
      await this.table(spec.dataset, name).delete({ ignoreNotFound: true }).catch((err) => {
        this.log.warn({ err: (err as Error).message, staging: name }, 'could not drop staging table');
      });
    }
    return { inserted: diffRows - updated, updated, deleted };
  }

  private serialLoad<T>(fn: () => Promise<T>): Promise<T> {
    // the shared in-memory DuckDB stages one chunk at a time
    const next = this.loadQueue.then(fn, fn);
    this.loadQueue = next.catch(() => undefined);
    return next;
  }

  async loadBars(input: LoadBarsInput, hooks: LoadTestHooks = {}): Promise<LoadBarsResult> {
    const { chunk, columns } = input;
    const spec = barTableSpec(chunk.schema);
    const table = qualifiedName(spec);
    validateBarColumns(table, chunk, columns);
    const symbolAt = typeof input.symbol === 'function' ? input.symbol : (i: number) => (input.symbol as (string | null)[])[i] ?? null;
    if (!this.ensuredBars.has(spec.name)) {
      await this.ensureSpecs([spec]);
      this.ensuredBars.add(spec.name);
    }
    const sha = barContentSha(input, symbolAt);
    const stg = stagingName(BAR_TABLE[chunk.schema], chunk.chunkId);
    const jobId = `load_${stg.slice(5)}_${sha.slice(0, 12)}`;
    const dir = await mkdtemp(path.join(tmpdir(), 'bq-stage-'));
    try {
      const file = path.join(dir, 'bars.parquet');
      await this.serialLoad(async () => {
        const { conn } = await this.duckdb();
        await stageBarColumns(conn, { name: 'bars', temp: false }, columns, symbolAt);
        const ingested = BigInt((input.ingestedAt ?? new Date()).getTime()) * 1_000_000n;
        const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
        await conn.run(
          `COPY (SELECT CAST(CAST(ts_event AS TIMESTAMP) AS TIMESTAMPTZ) AS ts_event, CAST(rtype AS BIGINT) AS rtype, ` +
            `CAST(publisher_id AS BIGINT) AS publisher_id, CAST(instrument_id AS BIGINT) AS instrument_id, ` +
            `open, high, low, close, volume, symbol, ${q(chunk.dataset)} AS dataset, ${q(chunk.chunkId)} AS chunk_id, ` +
            `make_timestamptz(${ingested / 1000n}) AS ingested_at FROM bars) TO ${q(file)} (FORMAT parquet, COMPRESSION zstd)`,
        );
        await conn.run('DROP TABLE bars');
      });
      await this.loadStaging(spec, stg, file, 'PARQUET', jobId, columns.length);
      if (hooks.failAfter === 'stage') throw new WarehouseInjectedFailure('stage');
      const scope: MergeScope = {
        column: 'ts_event',
        startLiteral: d.timestampLiteral(parseTimeNs(chunk.start)),
        endLiteral: d.timestampLiteral(parseTimeNs(chunk.end)),
      };
      const c = await this.mergeFromStaging(spec, stg, scope, false, hooks);
      return { rows: columns.length, inserted: c.inserted, updated: c.updated, unchanged: columns.length - c.inserted - c.updated, table };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async upsertRows(spec: TableSpec, rows: Row[], opts: UpsertOptions = {}, hooks: LoadTestHooks = {}): Promise<UpsertResult> {
    const { texts, scope } = prepareUpsert(spec, rows, opts, (type, text) => typedLiteral(d, type, text));
    const ndjson = texts
      .map((t) => {
        const o: Record<string, unknown> = {};
        spec.columns.forEach((c, i) => {
          const v = t[i];
          o[c.name] = v === null ? null : c.type === 'FLOAT64' ? Number(v) : c.type === 'BOOL' ? v === 'true' : c.type === 'JSON' ? JSON.parse(v) : v;
        });
        return JSON.stringify(o);
      })
      .join('\n');
    const sha = createHash('sha256').update(`${qualifiedName(spec)}\n${JSON.stringify(opts.scope ?? null)}\n${ndjson}`).digest('hex');
    const stg = stagingName(spec.name, `upsert_${sha.slice(0, 16)}`);
    const dir = await mkdtemp(path.join(tmpdir(), 'bq-upsert-'));
    try {
      const file = path.join(dir, 'rows.json');
      await writeFile(file, `${ndjson}\n`);
      await this.loadStaging(spec, stg, file, 'NEWLINE_DELIMITED_JSON', `upsert_${spec.name}_${sha.slice(0, 24)}`, rows.length);
      if (hooks.failAfter === 'stage') throw new WarehouseInjectedFailure('stage');
      const c = await this.mergeFromStaging(spec, stg, scope, opts.deleteMissingInScope ?? false, hooks);
      return { rows: rows.length, ...c };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async recordLedger(row: LedgerRow): Promise<void> {
    if (!this.ensuredBars.has(ingestLedgerTable.name)) {
      await this.ensureSpecs([ingestLedgerTable]);
      this.ensuredBars.add(ingestLedgerTable.name);
    }
    await this.upsertRows(ingestLedgerTable, [ledgerToRow(row)]);
  }

  async ledger(filter?: { series?: string; symbol?: string; status?: LedgerRow['status'] }): Promise<LedgerRow[]> {
    const q = ledgerQuery(this.ref('ops', 'ingest_ledger'), d.ident, filter);
    return (await this.run(q.sql, q.params)).map(rowToLedger);
  }

  async close(): Promise<void> {
    if (this.duck) {
      const { instance, conn } = await this.duck;
      conn.closeSync();
      instance.closeSync();
      this.duck = null;
    }
  }
}

/** sha256 of a chunk's content (not its ingest time): same chunk, same rows → same load job id. */
export function barContentSha(input: LoadBarsInput, symbolAt: (i: number) => string | null): string {
  const h = createHash('sha256');
  const { chunk, columns } = input;
  h.update(JSON.stringify([chunk.chunkId, chunk.dataset, chunk.schema, chunk.start, chunk.end, columns.length]));
  const parts: (keyof OhlcvColumns)[] = ['ts_event', 'rtype', 'publisher_id', 'instrument_id', 'open', 'high', 'low', 'close', 'volume'];
  for (const k of parts) {
    const a = columns[k] as Uint8Array | Uint16Array | Uint32Array | BigInt64Array | BigUint64Array;
    h.update(new Uint8Array(a.buffer, a.byteOffset, columns.length * a.BYTES_PER_ELEMENT));
  }
  for (let i = 0; i < columns.length; i++) h.update(`${symbolAt(i) ?? '\u0000'}\n`);
  return h.digest('hex');
}
