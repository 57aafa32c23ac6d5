import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createWarehouseFromEnv } from '../../warehouse';
import { duckdbThreads } from '../../warehouse/duckdb/duckdb-warehouse';
import { ConfigError, parseEnv } from '../../config/env';

const dir = mkdtempSync(path.join(tmpdir(), 'wh-threads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function threadsOf(env: Record<string, string>): Promise<number> {
  const w = await createWarehouseFromEnv(parseEnv({ WAREHOUSE: 'duckdb', ...env }));
  try {
    const [row] = await w.query<{ threads: string }>(`SELECT current_setting('threads') AS threads`);
    return Number(row.threads);
  } finally {
    await w.close();
  }
}

describe('DuckDB thread count', () => {
  it('leaves one core to the worker and Temporal by default', async () => {
    expect(duckdbThreads()).toBe(Math.max(1, availableParallelism() - 1));
    expect(await threadsOf({ DUCKDB_PATH: path.join(dir, 'default.duckdb') })).toBe(duckdbThreads());
  });

  it('takes DUCKDB_THREADS when set', async () => {
    expect(await threadsOf({ DUCKDB_PATH: path.join(dir, 'three.duckdb'), DUCKDB_THREADS: '3' })).toBe(3);
  });

  it('rejects a thread count that is not a positive integer, naming the variable', () => {
    expect(() => parseEnv({ DUCKDB_THREADS: '0' })).toThrow(ConfigError);
    expect(() => parseEnv({ DUCKDB_THREADS: 'many' })).toThrow(/DUCKDB_THREADS/);
  });
});
