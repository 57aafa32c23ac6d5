import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { parseEnv, repoRoot, type Env } from '../../config/env';
import { createWarehouseFromEnv, WarehouseQueryError, WarehouseReadOnlyError, type Warehouse } from '../../warehouse';

/** The directories whose files SQL may read or write (DuckDB), with or without --write. */
const FILE_DIRECTORIES = [repoRoot];

/** The first line of a statement, shortened, for messages. */
function excerpt(query: string): string {
  const text = query.trim().replace(/\s+/g, ' ');
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

/** `sql` without --write refused a statement that is not a SELECT; nothing ran. */
export class SqlReadOnlyError extends Error {
  override readonly name = 'SqlReadOnlyError';
  readonly code = 'SQL_READ_ONLY';
  readonly retryable = false;
  readonly statementType: string | null;
  constructor(query: string, refused: WarehouseReadOnlyError) {
    super(
      refused.statementType === null
        ? `sql is read-only and ran nothing (${refused.message}); add --write to run ${excerpt(query)}`
        : `sql is read-only: ${excerpt(query)} is a ${refused.statementType} statement, not a SELECT; add --write to allow it`,
    );
    this.statementType = refused.statementType;
  }
}

/** DuckDB refused a file outside FILE_DIRECTORIES, an extension, or a change to the settings that keep it so. */
export class SqlFileAccessError extends Error {
  override readonly name = 'SqlFileAccessError';
  readonly code = 'SQL_FILE_ACCESS_DENIED';
  readonly retryable = false;
  constructor(detail: string) {
    const advice = /Cannot access (file|directory)/.test(detail) ? 'copy the file into the project to use it' : 'SQL cannot lift these limits';
    super(`sql reads and writes only files under ${FILE_DIRECTORIES.join(', ')} and loads no extensions, with or without --write (${detail}); ${advice}`);
  }
}

/** DuckDB's words for what enable_external_access=false, allowed_directories and lock_configuration refuse. */
const FILE_ACCESS_REFUSED = /Permission Error|disabled (by|through) configuration|configuration has been locked/;

/** The warehouse's refusals as the command's own errors, which say what to do. */
function commandError(err: unknown, query: string): unknown {
  if (err instanceof WarehouseReadOnlyError) return new SqlReadOnlyError(query, err);
  if (err instanceof WarehouseQueryError && err.kind === 'duckdb' && FILE_ACCESS_REFUSED.test(err.message)) {
    return new SqlFileAccessError(err.message.split('\n')[0]);
  }
  return err;
}

/** Read-only opens DuckDB READ_ONLY, which needs the file: without one the query runs on an empty in-memory database. */
async function openWarehouse(env: Env, write: boolean): Promise<Warehouse> {
  const access = { readOnly: !write, fileDirectories: FILE_DIRECTORIES };
  if (env.WAREHOUSE === 'duckdb' && !write && !existsSync(env.DUCKDB_PATH)) {
    process.stderr.write(`note: no DuckDB warehouse at ${env.DUCKDB_PATH} (DUCKDB_PATH): the query runs on an empty in-memory database\n`);
    return createWarehouseFromEnv({ ...env, DUCKDB_PATH: ':memory:' }, access);
  }
  return createWarehouseFromEnv(env, access);
}

function parseParams(pairs: string[] = []): Record<string, string> {
  const params: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new Error(`--param wants name=value, got ${p}`);
    params[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return params;
}

const HELP = `
Read-only unless --write: only SELECT statements run (SQL_READ_ONLY otherwise; nothing runs).
  DuckDB: the file is opened READ_ONLY, and every statement must be a SELECT as DuckDB's own parser classifies
    it (DROP, DELETE, INSERT, UPDATE, CREATE, COPY, ATTACH, EXPORT, SET, CALL ... are refused). Without a
    DUCKDB_PATH file yet, the query runs on an empty in-memory database (nothing is created).
  BigQuery: a dry run (free; runs nothing) must report statementType SELECT, so DML, DDL, scripts and EXPORT
    DATA are refused. The emulator (BIGQUERY_API_ENDPOINT) cannot dry-run: read-only runs nothing there.
--write runs any statement.
Files, with or without --write (DuckDB): SQL reads and writes only files under ${FILE_DIRECTORIES.join(', ')}
  (read_csv, read_parquet, COPY, ATTACH, EXPORT ...; relative paths from the current directory); extensions cannot
  be installed or loaded, nor these settings changed (SQL_FILE_ACCESS_DENIED). BigQuery reads no local files;
  what it may read or export in Cloud Storage is up to the credentials' IAM roles.
`;

/** `sql "<query>"`: runs one statement on the configured warehouse and prints the rows as JSON (exact strings for BIGINT/DECIMAL). */
export function register(program: Command): void {
  program
    .command('sql')
    .description('run a SQL query on the configured warehouse (WAREHOUSE, DUCKDB_PATH, ...) and print JSON rows; read-only unless --write')
    .argument('<query>', 'SQL text; named parameters as @name')
    .option('-p, --param <name=value...>', 'named string parameter, repeatable')
    .option('--ndjson', 'one JSON object per line instead of a JSON array')
    .option('--write', 'also run statements that change the warehouse or write files (INSERT, DELETE, CREATE, DROP, COPY ...)')
    .addHelpText('after', HELP)
    .action(async (query: string, opts: { param?: string[]; ndjson?: boolean; write?: boolean }) => {
      const params = parseParams(opts.param);
      const wh = await openWarehouse(parseEnv(), opts.write ?? false);
      try {
        const rows = await wh.query(query, params).catch((err: unknown) => {
          throw commandError(err, query);
        });
        process.stdout.write(opts.ndjson ? rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '') : `${JSON.stringify(rows, null, 2)}\n`);
      } finally {
        await wh.close();
      }
    });
}
