import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { repoRoot } from './market-data-dir';

export const BIGQUERY_EMULATOR_BIN = path.join(repoRoot, '.tools', 'bin', 'bigquery-emulator');

export interface RunningBigQueryEmulator {
  /** `http://127.0.0.1:<port>`: pass as `apiEndpoint` */
  endpoint: string;
  projectId: string;
  stop(): Promise<void>;
}

/** A free loopback port (bind to 0, read it, release it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts the real goccy bigquery-emulator on free ports and waits until its REST API answers.
 * Fails loudly (never skips) when the binary is missing. Start one per test file: the emulator's memory grows with
 * every job it runs.
 */
export async function startBigQueryEmulator(opts: { projectId?: string; timeoutMs?: number } = {}): Promise<RunningBigQueryEmulator> {
  if (!existsSync(BIGQUERY_EMULATOR_BIN)) {
    throw new Error(`BigQuery emulator not found at ${BIGQUERY_EMULATOR_BIN}: run \`npm run tools:install\``);
  }
  const projectId = opts.projectId ?? 'test-project';
  const port = await freePort();
  const grpcPort = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    BIGQUERY_EMULATOR_BIN,
    [`--project=${projectId}`, '--host=127.0.0.1', `--port=${port}`, `--grpc-port=${grpcPort}`, '--log-level=error'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  let exited: number | null | undefined;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exited = code;
      resolve();
    }),
  );
  const stop = async (): Promise<void> => {
    if (exited !== undefined) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exitPromise;
    clearTimeout(timer);
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (exited !== undefined) throw new Error(`bigquery-emulator exited (code ${exited}) before it was ready: ${stderr}`);
    try {
      const res = await fetch(`${endpoint}/bigquery/v2/projects`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`bigquery-emulator did not answer on ${endpoint} within ${opts.timeoutMs ?? 60_000} ms: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { endpoint, projectId, stop };
}
