import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './market-data-dir';
import { freePort } from '../../local/free-port';

export const BIGQUERY_EMULATOR_BIN = path.join(repoRoot, '.tools', 'bin', 'bigquery-emulator');

export interface RunningBigQueryEmulator {
  /** `http://127.0.0.1:<port>`: pass as `apiEndpoint` */
  endpoint: string;
  projectId: string;
  /** the SQLite file the emulator persists to (`--database`), or null when it keeps everything in memory */
  databaseFile: string | null;
  /** the running process's id (changes on restart) */
  readonly pid: number | undefined;
  /**
   * Stops the process and starts it again on the same ports with the same database file, so a persistent emulator
   * keeps its datasets, tables and rows while its memory starts from zero. Without `databaseFile` data is lost.
   */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

interface EmulatorProcess {
  child: ChildProcess;
  stop(): Promise<void>;
}

async function spawnEmulator(args: string[], endpoint: string, timeoutMs: number): Promise<EmulatorProcess> {
  const child: ChildProcess = spawn(BIGQUERY_EMULATOR_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  let exited: number | null | undefined;
  // never outlive the process that started it (a crashed script would leave a multi-GiB emulator running)
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exited = code;
      process.off('exit', killOnExit);
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
  const deadline = Date.now() + timeoutMs;
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
      throw new Error(`bigquery-emulator did not answer on ${endpoint} within ${timeoutMs} ms: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, stop };
}

/**
 * Starts the real goccy bigquery-emulator on free ports and waits until its REST API answers.
 * Fails loudly (never skips) when the binary is missing. Its memory grows with every job it runs and never shrinks
 * (goccy/googlesqlite#80; v0.8.1 panics once its wasm heap passes 2 GiB), so start one per test file, and for long
 * loads pass `databaseFile` (persistent SQLite, `--database`) and `restart()` every few dozen jobs.
 */
export async function startBigQueryEmulator(
  opts: { projectId?: string; timeoutMs?: number; databaseFile?: string } = {},
): Promise<RunningBigQueryEmulator> {
  if (!existsSync(BIGQUERY_EMULATOR_BIN)) {
    throw new Error(`BigQuery emulator not found at ${BIGQUERY_EMULATOR_BIN}: run \`npm run tools:install\``);
  }
  const projectId = opts.projectId ?? 'test-project';
  const port = await freePort();
  const grpcPort = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const databaseFile = opts.databaseFile ? path.resolve(opts.databaseFile) : null;
  const args = [`--project=${projectId}`, '--host=127.0.0.1', `--port=${port}`, `--grpc-port=${grpcPort}`, '--log-level=error'];
  if (databaseFile) args.push(`--database=${databaseFile}`);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  let proc = await spawnEmulator(args, endpoint, timeoutMs);
  return {
    endpoint,
    projectId,
    databaseFile,
    get pid() {
      return proc.child.pid;
    },
    async restart() {
      await proc.stop();
      proc = await spawnEmulator(args, endpoint, timeoutMs);
    },
    stop: () => proc.stop(),
  };
}
