import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { Command } from 'commander';
import { HistoricalClient } from '../../databento/historical-client';
import { fredClientFromEnv } from '../../fred/fred-client';
import { createWarehouseFromEnv } from '../../warehouse/warehouse';
import { type Env, parseEnv } from '../../config/env';
import { SEARCH_ATTRIBUTES } from '../../domain/search-attributes';

export interface DoctorCheck {
  name: 'temporal' | 'databento' | 'fred' | 'warehouse' | 'data-dir';
  status: 'ok' | 'warn' | 'skip' | 'fail';
  detail: string;
  /** what to do about a failure or warning */
  hint?: string;
}

const MARK: Record<DoctorCheck['status'], string> = { ok: '✓', warn: '!', skip: '-', fail: '✗' };

/** Error text with every configured key masked, whatever a library put into its message. */
function safeMessage(err: unknown, env: Env): string {
  let text = err instanceof Error ? err.message : String(err);
  for (const key of [env.DATABENTO_API_KEY, env.FRED_API_KEY]) {
    if (!key) continue;
    for (const form of [key, Buffer.from(`${key}:`).toString('base64'), encodeURIComponent(key)]) text = text.split(form).join('[redacted]');
  }
  return text.split('\n')[0];
}

async function checkTemporal(env: Env): Promise<DoctorCheck> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS, connectTimeout: 5000 });
    await connection.workflowService.describeNamespace({ namespace: env.TEMPORAL_NAMESPACE });
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: env.TEMPORAL_NAMESPACE });
    const missing = SEARCH_ATTRIBUTES.map((k) => k.name).filter((n) => !(n in (customAttributes ?? {})));
    if (missing.length) {
      return {
        name: 'temporal',
        status: 'fail',
        detail: `${env.TEMPORAL_ADDRESS} namespace ${env.TEMPORAL_NAMESPACE}: search attributes not registered: ${missing.join(', ')}`,
        hint: '`npm run -s cli -- schedules apply` registers them (or `temporal operator search-attribute create`)',
      };
    }
    return { name: 'temporal', status: 'ok', detail: `${env.TEMPORAL_ADDRESS} namespace ${env.TEMPORAL_NAMESPACE}, search attributes ${SEARCH_ATTRIBUTES.map((k) => k.name).join(', ')}` };
  } catch (err) {
    return {
      name: 'temporal',
      status: 'fail',
      detail: `${env.TEMPORAL_ADDRESS} namespace ${env.TEMPORAL_NAMESPACE}: ${safeMessage(err, env)}`,
      hint: 'start a server (`temporal server start-dev` or `npm run demo`) or set TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE',
    };
  } finally {
    await connection?.close();
  }
}

async function checkDatabento(env: Env): Promise<DoctorCheck> {
  if (!env.DATABENTO_API_KEY) {
    return { name: 'databento', status: 'fail', detail: 'DATABENTO_API_KEY is not set', hint: 'export DATABENTO_API_KEY (or start the local gateway and use its key)' };
  }
  const client = HistoricalClient.fromEnv(env, { timeoutMs: 10_000 });
  try {
    const datasets = await client.metadata.listDatasets();
    const glbx = datasets.includes('GLBX.MDP3');
    return {
      name: 'databento',
      status: glbx ? 'ok' : 'warn',
      detail: `${env.DATABENTO_BASE_URL}: list_datasets → ${datasets.length} datasets${glbx ? ', GLBX.MDP3 available' : ''}`,
      ...(glbx ? {} : { hint: 'the key has no access to GLBX.MDP3' }),
    };
  } catch (err) {
    const code = (err as { code?: string }).code;
    return {
      name: 'databento',
      status: 'fail',
      detail: `${env.DATABENTO_BASE_URL}: ${safeMessage(err, env)}`,
      hint: code === 'DATABENTO_AUTH' ? 'the API key was refused: check DATABENTO_API_KEY' : 'check DATABENTO_BASE_URL and the network',
    };
  } finally {
    await client.close();
  }
}

async function checkFred(env: Env): Promise<DoctorCheck> {
  if (!env.FRED_API_KEY) return { name: 'fred', status: 'skip', detail: 'FRED_API_KEY not set: the FRED schedule will fail until it is' };
  try {
    const info = await fredClientFromEnv(env, { timeoutMs: 10_000 }).getSeries('DGS10');
    return { name: 'fred', status: 'ok', detail: `${env.FRED_BASE_URL}: series DGS10 (${info.title}) observed to ${info.observation_end}` };
  } catch (err) {
    return { name: 'fred', status: 'fail', detail: `${env.FRED_BASE_URL}: ${safeMessage(err, env)}`, hint: 'check FRED_API_KEY and FRED_BASE_URL' };
  }
}

async function checkWarehouse(env: Env): Promise<DoctorCheck> {
  const where = env.WAREHOUSE === 'duckdb' ? `duckdb ${env.DUCKDB_PATH}` : `bigquery ${env.GOOGLE_CLOUD_PROJECT ?? '(no project)'}${env.BIGQUERY_API_ENDPOINT ? ` at ${env.BIGQUERY_API_ENDPOINT}` : ''}`;
  try {
    const w = await createWarehouseFromEnv(env);
    try {
      const [row] = await w.query<{ one: unknown }>('SELECT 1 AS one');
      if (Number(row?.one) !== 1) throw new Error(`SELECT 1 returned ${JSON.stringify(row)}`);
      // read-only schema check: the first activity creates the tables, so their absence is only a warning
      try {
        const [n] = await w.query<{ n: string }>('SELECT COUNT(*) AS n FROM ops.ingest_ledger');
        return { name: 'warehouse', status: 'ok', detail: `${where}: SELECT 1 ok, ops.ingest_ledger has ${n.n} rows` };
      } catch {
        return { name: 'warehouse', status: 'warn', detail: `${where}: SELECT 1 ok, schema not created yet`, hint: 'created by the first backfill (ensureSchema)' };
      }
    } finally {
      await w.close();
    }
  } catch (err) {
    return {
      name: 'warehouse',
      status: 'fail',
      detail: `${where}: ${safeMessage(err, env)}`,
      hint: env.WAREHOUSE === 'duckdb' ? 'is DUCKDB_PATH writable and not held open by another process?' : 'check GOOGLE_CLOUD_PROJECT, credentials and BIGQUERY_API_ENDPOINT',
    };
  }
}

async function checkDataDir(env: Env): Promise<DoctorCheck> {
  const probe = path.join(env.DATA_DIR, `.doctor-${process.pid}`);
  try {
    await mkdir(env.DATA_DIR, { recursive: true });
    await writeFile(probe, 'ok');
    await rm(probe);
    return { name: 'data-dir', status: 'ok', detail: `${env.DATA_DIR} writable` };
  } catch (err) {
    return { name: 'data-dir', status: 'fail', detail: `${env.DATA_DIR}: ${safeMessage(err, env)}`, hint: 'set DATA_DIR to a writable folder (the chunk store)' };
  }
}

/** Every check, in order; none throws. */
export async function runDoctor(env: Env): Promise<DoctorCheck[]> {
  return [await checkTemporal(env), await checkDatabento(env), await checkFred(env), await checkWarehouse(env), await checkDataDir(env)];
}

export function formatCheck(c: DoctorCheck): string {
  return `${MARK[c.status]} ${c.name.padEnd(9)} ${c.detail}${c.hint ? `\n    hint: ${c.hint}` : ''}`;
}

export function register(program: Command): void {
  program
    .command('doctor')
    .description('Check Temporal, Databento, FRED, the warehouse and DATA_DIR; one line each, exit 1 if any failed')
    .option('--json', 'print the checks as JSON')
    .action(async (opts: { json?: boolean }) => {
      const env = parseEnv();
      const checks = await runDoctor(env);
      process.stdout.write(opts.json ? `${JSON.stringify(checks, null, 2)}\n` : `${checks.map(formatCheck).join('\n')}\n`);
      if (checks.some((c) => c.status === 'fail')) process.exitCode = 1;
    });
}
