import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BigQueryWarehouse } from '../../warehouse/bigquery/bigquery-warehouse';
import { WarehouseReadOnlyError } from '../../warehouse';
import { startBigQueryEmulator, type RunningBigQueryEmulator } from '../support/bigquery-emulator';
import { runCli } from '../support/run-cli';

describe('cli sql on the BigQuery emulator', () => {
  let emulator: RunningBigQueryEmulator;
  let env: Record<string, string>;
  beforeAll(async () => {
    emulator = await startBigQueryEmulator();
    env = { WAREHOUSE: 'bigquery', GOOGLE_CLOUD_PROJECT: emulator.projectId, BIGQUERY_API_ENDPOINT: emulator.endpoint, LOG_LEVEL: 'silent' };
  });
  afterAll(() => emulator?.stop());

  it('read-only runs nothing there (its dry runs run for real); --write runs the statement', async () => {
    for (const statement of ['DROP TABLE ops.ingest_ledger', 'SELECT 1 AS x']) {
      const r = await runCli(['sql', statement], env);
      expect(r.code, statement).not.toBe(0);
      expect(r.stdout, statement).toBe('');
      expect(r.stderr, statement).toContain('[SQL_READ_ONLY]');
      expect(r.stderr, statement).toContain(`the endpoint ${emulator.endpoint} (the emulator) cannot dry-run`);
      expect(r.stderr, statement).toContain('add --write');
    }
    const written = await runCli(['sql', 'SELECT 1 AS x', '--write'], env);
    expect(written.stderr).toBe('');
    expect(JSON.parse(written.stdout)).toEqual([{ x: '1' }]);
  });
});

/** A stand-in for the BigQuery client: answers dry runs with a statement type, runs return one row. */
function fakeClient(statementType: string | undefined) {
  const jobs: { query: string; dryRun?: boolean; params?: unknown }[] = [];
  return {
    jobs,
    createQueryJob: async (options: { query: string; dryRun?: boolean; params?: unknown }) => {
      jobs.push(options);
      return [{ id: `job${jobs.length}`, metadata: { statistics: { query: { statementType: options.dryRun ? statementType : 'SELECT' } } } }];
    },
    request: (_: object, callback: (err: unknown, resp: unknown) => void) =>
      callback(null, { jobComplete: true, schema: { fields: [{ name: 'x', type: 'INTEGER' }] }, rows: [{ f: [{ v: '1' }] }] }),
  };
}

async function readOnlyWarehouse(statementType: string | undefined) {
  const wh = await BigQueryWarehouse.open({ projectId: 'read-only-test', readOnly: true, autoRetry: false });
  const client = fakeClient(statementType);
  Object.assign(wh, { bq: client });
  return { wh, client };
}

describe('BigQuery read-only: the dry run decides', () => {
  it('runs a statement the dry run calls SELECT, after the dry run, with the same parameters', async () => {
    const { wh, client } = await readOnlyWarehouse('SELECT');
    expect(await wh.query('SELECT @p AS x', { p: 'a' })).toEqual([{ x: '1' }]);
    expect(client.jobs.map((j) => [j.query, j.dryRun ?? false, j.params])).toEqual([
      ['SELECT @p AS x', true, { p: 'a' }],
      ['SELECT @p AS x', false, { p: 'a' }],
    ]);
  });

  it.each(['DROP_TABLE', 'DELETE', 'INSERT', 'SCRIPT', 'EXPORT_DATA', 'CREATE_TABLE_AS_SELECT', undefined])(
    'refuses what the dry run calls %s, and runs nothing',
    async (type) => {
      const { wh, client } = await readOnlyWarehouse(type);
      const err = await wh.query('whatever').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WarehouseReadOnlyError);
      expect((err as WarehouseReadOnlyError).statementType).toBe(type ?? null);
      expect(client.jobs.every((j) => j.dryRun === true)).toBe(true);
    },
  );
});
