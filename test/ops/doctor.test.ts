import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/free-port';
import { type Gateway, GATEWAY_FRED_TEST_KEY, GATEWAY_TEST_KEY, startGateway } from '../../gateway/start-gateway';
import { type DevServer, startTemporalDevServer } from '../../local/temporal-dev-server';
import { marketDataDir } from '../support/market-data-dir';
import { runCli } from '../support/run-cli';
import { placeholderDatabentoKey } from '../../gateway/placeholder-keys';

describe('cli doctor against a real dev server and the gateway', () => {
  let server: DevServer;
  let gateway: Gateway;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'doctor-test-'));
    [server, gateway] = await Promise.all([startTemporalDevServer({}), startGateway({ dataDir: marketDataDir(), port: 0 })]);
    env = {
      TEMPORAL_ADDRESS: server.address,
      DATABENTO_API_KEY: GATEWAY_TEST_KEY,
      DATABENTO_BASE_URL: gateway.url,
      FRED_API_KEY: GATEWAY_FRED_TEST_KEY,
      FRED_BASE_URL: gateway.url,
      WAREHOUSE: 'duckdb',
      DUCKDB_PATH: path.join(dir, 'warehouse.duckdb'),
      DATA_DIR: path.join(dir, 'chunks'),
      LOG_LEVEL: 'warn',
    };
  });
  afterAll(async () => {
    await Promise.allSettled([gateway?.close(), server?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('all checks pass: one ✓ line each, exit 0', async () => {
    const res = await runCli(['doctor'], env);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    const lines = res.stdout.trim().split('\n').filter((l) => !l.startsWith('    hint'));
    expect(lines.map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual([
      '✓ temporal', '✓ databento', '✓ fred', '! warehouse', '✓ data-dir',
    ]);
    expect(res.stdout).toMatch(/search attributes PipelineStage, Dataset, Schema, Symbols/);
    expect(res.stdout).toMatch(/GLBX\.MDP3 available/);
    expect(res.stdout).toMatch(/warehouse .*schema not created yet/);
    expect(res.stdout).not.toContain(GATEWAY_TEST_KEY);
    expect(res.stdout).not.toContain(GATEWAY_FRED_TEST_KEY);
  });

  it('a refused key and an unreachable Temporal fail with hints, exit 1, and never print the key', async () => {
    const wrongKey = placeholderDatabentoKey('doctor-wrong');
    const res = await runCli(['doctor', '--json'], { ...env, DATABENTO_API_KEY: wrongKey, TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` });
    expect(res.code).toBe(1);
    const checks = JSON.parse(res.stdout) as { name: string; status: string; hint?: string }[];
    expect(checks.find((c) => c.name === 'temporal')).toMatchObject({ status: 'fail', hint: expect.stringMatching(/start a server/) });
    expect(checks.find((c) => c.name === 'databento')).toMatchObject({ status: 'fail', hint: expect.stringMatching(/API key was refused/) });
    expect(checks.find((c) => c.name === 'data-dir')?.status).toBe('ok');
    expect(res.stdout + res.stderr).not.toContain(wrongKey);
    expect(res.stdout + res.stderr).not.toContain(Buffer.from(`${wrongKey}:`).toString('base64'));
  });
});
