import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_TEST_KEY, type Gateway, startGateway } from '../../gateway/start-gateway';
import { marketDataDir, repoRoot } from '../support/market-data-dir';
import { placeholderDatabentoKey } from '../../gateway/placeholder-keys';

let gw: Gateway;
let dir: string;

beforeAll(async () => {
  gw = await startGateway({ dataDir: marketDataDir(), port: 0, logger: pino({ level: 'silent' }) });
  dir = await mkdtemp(path.join(os.tmpdir(), 'databento-cli-'));
});

afterAll(async () => {
  await gw?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function cli(args: string[], key = GATEWAY_TEST_KEY): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      path.join(repoRoot, 'node_modules/.bin/tsx'),
      ['cli/main.ts', 'databento', ...args],
      { cwd: repoRoot, env: { ...process.env, DATABENTO_API_KEY: key, DATABENTO_BASE_URL: gw.url, LOG_LEVEL: 'warn' } },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const range = ['--dataset', 'GLBX.MDP3', '--schema', 'ohlcv-1h', '--symbols', 'NQ.FUT', '--stype-in', 'parent'];

describe('cli: databento <method>', () => {
  it('get-record-count prints the count as JSON', async () => {
    const r = await cli(['get-record-count', ...range, '--start', '2010-06-06', '--end', '2026-01-01']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toBe(228_911);
  });

  it('get-range writes the body and prints a JSON summary', async () => {
    const out = path.join(dir, 'dec.dbn.zst');
    const r = await cli(['get-range', ...range, '--start', '2025-12-01', '--end', '2025-12-02', '--out', out]);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as { bytes: number; status: number; path: string };
    expect(summary).toMatchObject({ status: 200, path: out });
    expect((await readFile(out)).length).toBe(summary.bytes);
  });

  it('errors go to stderr with their code, exit 1, and never show the key', async () => {
    const wrongKey = placeholderDatabentoKey('cli-wrong-canary');
    const r = await cli(['list-datasets'], wrongKey);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('[DATABENTO_AUTH]');
    expect(r.stderr).toContain('Authorization failed: bad key.');
    expect(r.stderr).not.toContain(wrongKey);
    expect(r.stderr).not.toContain(Buffer.from(`${wrongKey}:`).toString('base64'));
  });
});
