import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, marketDataDir } from '../support/market-data-dir';
import { GATEWAY_TEST_KEY } from '../../gateway/start-gateway';

describe('cli gateway', () => {
  it('prints "listening http://127.0.0.1:PORT", serves, and exits cleanly on SIGTERM', async () => {
    const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.DATABENTO_API_KEY;
    const child = spawn(tsx, ['cli/main.ts', 'gateway', '--data', marketDataDir(), '--port', '0'], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const firstLine = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const nl = out.indexOf('\n');
        if (nl >= 0) resolve(out.slice(0, nl));
      });
      child.once('exit', (code) => reject(new Error(`gateway exited (${code}) before listening: ${stderr}`)));
    });
    try {
      expect(firstLine).toMatch(/^listening http:\/\/127\.0\.0\.1:\d+$/);
      const url = firstLine.slice('listening '.length);
      const res = await fetch(`${url}/v0/metadata.list_datasets`, {
        headers: { authorization: `Basic ${Buffer.from(`${GATEWAY_TEST_KEY}:`).toString('base64')}` },
      });
      expect(res.status).toBe(200);
      expect(stderr).not.toContain(GATEWAY_TEST_KEY);
    } finally {
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM'); // tsx relays it; the command closes the server and exits 0
      expect(await exited).toBe(0);
    }
  });
});
