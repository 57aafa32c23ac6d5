import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/market-data-dir';

const run = promisify(execFile);
const dir = mkdtempSync(path.join(tmpdir(), 'wh-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]) {
  return run('npx', ['tsx', 'cli/main.ts', ...args], {
    cwd: repoRoot,
    env: { ...process.env, WAREHOUSE: 'duckdb', DUCKDB_PATH: path.join(dir, 'cli.duckdb'), LOG_LEVEL: 'silent' },
  });
}

describe('cli sql', () => {
  it('runs a query on the configured DuckDB and prints JSON rows with exact integers and decimals', async () => {
    const { stdout } = await cli(['sql', 'select 42 as x, 9007199254740993::BIGINT as big, CAST(@p AS DECIMAL(38,9)) as d', '--param', 'p=3702.750000001']);
    expect(JSON.parse(stdout)).toEqual([{ x: 42, big: '9007199254740993', d: '3702.750000001' }]);
  });

  it('exits non-zero with the error on stderr for bad SQL', async () => {
    const err = (await cli(['sql', 'select * from no_such_table']).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(1);
    expect(err.stderr).toContain('WAREHOUSE_QUERY_FAILED');
    expect(err.stderr).toContain('no_such_table');
  });
});
