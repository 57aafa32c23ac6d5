import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWarehouse } from '../../warehouse';
import { runCli } from '../support/run-cli';
import { repoRoot } from '../support/market-data-dir';
import { chunkInput, NQ_CHUNKS, nqRecording, rowRange } from '../warehouse/nq-chunks';

const BARS = 'market_data.databento_futures_ohlcv_1h';
let dir: string;
let env: Record<string, string>;
let loadedRows: number;

/** `npm run -s cli -- sql ...` against the test's DuckDB file. */
function sql(...args: string[]) {
  return runCli(['sql', ...args], env);
}

async function ledgerStillThere(): Promise<void> {
  const r = await sql('SELECT COUNT(*) AS n FROM ops.ingest_ledger');
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual([{ n: '0' }]);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sql-access-'));
  env = { WAREHOUSE: 'duckdb', DUCKDB_PATH: path.join(dir, 'warehouse.duckdb'), LOG_LEVEL: 'silent' };
  // a real warehouse: the core tables and the first half-year chunk of the NQ.FUT ohlcv-1h recording
  const rec = await nqRecording();
  const { id, start, end } = NQ_CHUNKS[0];
  const [a, b] = rowRange(rec, start, end);
  loadedRows = b - a;
  const wh = await createWarehouse({ kind: 'duckdb', path: env.DUCKDB_PATH });
  try {
    await wh.ensureSchema();
    await wh.loadBars(chunkInput(rec, id, start, end));
  } finally {
    await wh.close();
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cli sql: read-only by default', () => {
  it('runs a SELECT on the warehouse and prints the rows', async () => {
    const r = await sql(`SELECT COUNT(*) AS n FROM ${BARS}`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ n: String(loadedRows) }]);
  });

  it.each([
    ['DROP TABLE ops.ingest_ledger', 'DROP'],
    ['DELETE FROM ops.ingest_ledger', 'DELETE'],
    [`UPDATE ${BARS} SET volume = 0`, 'UPDATE'],
    ['CREATE TABLE ops.scratch AS SELECT 1 AS x', 'CREATE'],
  ])('refuses %s and changes nothing', async (statement, type) => {
    const r = await sql(statement);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('[SQL_READ_ONLY]');
    expect(r.stderr).toContain(`sql is read-only: ${statement} is a ${type} statement`);
    expect(r.stderr).toContain('add --write');
    await ledgerStillThere();
  });

  it('refuses COPY ... TO a file: outside the project as file access, inside it as a write', async () => {
    const outside = path.join(dir, 'copied.csv');
    const inside = path.join(repoRoot, '.data', `sql-access-${process.pid}.csv`);
    for (const [target, code] of [
      [outside, '[SQL_FILE_ACCESS_DENIED]'],
      [inside, '[SQL_READ_ONLY]'],
    ]) {
      const r = await sql(`COPY (SELECT * FROM ${BARS}) TO '${target}'`);
      expect(r.code, target).not.toBe(0);
      expect(r.stderr, target).toContain(code);
      expect(existsSync(target), target).toBe(false);
    }
  });

  it("refuses read_csv('/etc/passwd') and ATTACH of another database file", async () => {
    const passwd = await sql("SELECT * FROM read_csv('/etc/passwd')");
    expect(passwd.code).not.toBe(0);
    expect(passwd.stdout).toBe('');
    expect(passwd.stderr).toContain('[SQL_FILE_ACCESS_DENIED]');
    expect(passwd.stderr).toContain('/etc/passwd');

    const other = path.join(dir, 'other.duckdb');
    const attach = await sql(`ATTACH '${other}' AS other`);
    expect(attach.code).not.toBe(0);
    expect(attach.stderr).toContain('[SQL_READ_ONLY]');
    expect(existsSync(other)).toBe(false);
  });

  it('reads a file inside the project (an absolute path)', async () => {
    const r = await sql(`SELECT COUNT(*) > 0 AS ok FROM read_text('${path.join(repoRoot, 'package.json')}')`);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([{ ok: true }]);
  });
});

describe('cli sql --write', () => {
  it('runs statements that change the warehouse: CREATE and DROP of a scratch table', async () => {
    const create = await sql('CREATE TABLE ops.scratch AS SELECT 1 AS x', '--write');
    expect(create.stderr).toBe('');
    expect(create.code).toBe(0);
    expect(JSON.parse((await sql('SELECT x FROM ops.scratch')).stdout)).toEqual([{ x: 1 }]);
    const drop = await sql('DROP TABLE ops.scratch', '--write');
    expect(drop.stderr).toBe('');
    expect(drop.code).toBe(0);
    const gone = await sql('SELECT x FROM ops.scratch');
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain('scratch');
    await ledgerStillThere();
  });

  it('still refuses files outside the project: read_csv, COPY TO, ATTACH', async () => {
    const outside = path.join(dir, 'copied.csv');
    const other = path.join(dir, 'other.duckdb');
    for (const statement of [
      "SELECT * FROM read_csv('/etc/passwd')",
      `SELECT * FROM read_text('${repoRoot}/../shared/data/PROVENANCE.md')`,
      `COPY (SELECT 1 AS x) TO '${outside}'`,
      `ATTACH '${other}' AS other`,
    ]) {
      const r = await sql(statement, '--write');
      expect(r.code, statement).not.toBe(0);
      expect(r.stderr, statement).toContain('[SQL_FILE_ACCESS_DENIED]');
      expect(r.stderr, statement).toContain(`only files under ${repoRoot}`);
    }
    expect(existsSync(outside)).toBe(false);
    expect(existsSync(other)).toBe(false);
  });

  it('cannot install or load extensions, nor turn the restrictions off', async () => {
    for (const statement of ['INSTALL httpfs', 'LOAD httpfs', 'SET enable_external_access = true', "SET allowed_directories = ['/']"]) {
      const r = await sql(statement, '--write');
      expect(r.code, statement).not.toBe(0);
      expect(r.stderr, statement).toMatch(/SQL_FILE_ACCESS_DENIED|WAREHOUSE_QUERY_FAILED/);
    }
    const passwd = await sql("SELECT * FROM read_csv('/etc/passwd')", '--write');
    expect(passwd.stderr).toContain('[SQL_FILE_ACCESS_DENIED]');
  });
});
