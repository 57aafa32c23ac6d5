/**
 * `npm run screenshots`: captures the Temporal Web UI views the README shows, from a real local stack:
 * dev server with UI, the gateway over the recordings, a worker, (a) a backfill slowed by the gateway's slowBody
 * fault (running, with per-chunk progress), (b) a backfill over budget waiting for approval, (c) the schedules.
 * Writes docs/screenshots/*.png. Needs Chromium (CHROMIUM_PATH, default /usr/bin/chromium).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { connectPipelineClient, startBackfill } from '../client/pipeline-client';
import { parseEnv, repoRoot } from '../config/env';
import { startGateway } from '../gateway/start-gateway';
import { freePort } from '../local/free-port';
import { startTemporalDevServer } from '../local/temporal-dev-server';
import { createLogger } from '../logging/logger';
import { applySchedules } from '../schedules/apply-schedules';
import { createPipelineWorkers } from '../workers/create-workers';

const OUT_DIR = path.join(repoRoot, 'docs', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const MAX_PNG_BYTES = 400 * 1024;

const say = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForHttp(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await sleep(500);
  }
}

async function capture(page: Page, url: string, file: string, waitForText: string, tab?: string): Promise<void> {
  await page.goto(url, { waitUntil: 'load' });
  if (tab) await page.getByText(tab, { exact: true }).first().click({ timeout: 30_000 });
  try {
    await page.getByText(waitForText, { exact: false }).first().waitFor({ timeout: 30_000 });
  } catch (err) {
    const debug = path.join(tmpdir(), `screenshot-failed-${file}`);
    await page.screenshot({ path: debug });
    throw new Error(`${file}: "${waitForText}" never appeared on ${url} (page saved to ${debug})`, { cause: err });
  }
  await sleep(1500); // let the UI finish its fade-ins and relative times
  const target = path.join(OUT_DIR, file);
  await page.screenshot({ path: target, fullPage: false });
  const bytes = statSync(target).size;
  if (bytes > MAX_PNG_BYTES) throw new Error(`${file} is ${bytes} bytes, above ${MAX_PNG_BYTES}`);
  say(`wrote ${path.relative(repoRoot, target)} (${Math.round(bytes / 1024)} KB)`);
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`);
  mkdirSync(OUT_DIR, { recursive: true });
  const dir = mkdtempSync(path.join(tmpdir(), 'screenshots-'));
  const logger = createLogger({ level: 'warn', pretty: false });
  const uiPort = await freePort();
  const server = await startTemporalDevServer({ uiPort });
  const dataDir = parseEnv().MARKET_DATA_DIR;
  const gateway = await startGateway({ dataDir, port: 0 });
  const { GATEWAY_TEST_KEY } = await import('../gateway/start-gateway');
  const env = parseEnv({
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_TASK_QUEUE: 'market-data',
    DATABENTO_API_KEY: GATEWAY_TEST_KEY,
    DATABENTO_BASE_URL: gateway.url,
    WAREHOUSE: 'duckdb',
    DUCKDB_PATH: path.join(dir, 'warehouse.duckdb'),
    DATA_DIR: path.join(dir, 'chunks'),
    MARKET_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
  });
  const workers = await createPipelineWorkers({ env, logger, hostId: 'screenshots' });
  const running = workers.run();
  const pc = await connectPipelineClient(env);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    // (a) a long backfill whose downloads crawl, so it is caught mid-way with per-chunk progress
    gateway.faults.slowBody = { bytesPerSecond: 1500 };
    gateway.faults.onlyPaths = ['/v0/timeseries.get_range'];
    const slow = await startBackfill(pc, {
      dataset: 'GLBX.MDP3', schemas: ['ohlcv-1d'], symbols: ['ZL.c.0'], stypeIn: 'continuous',
      start: '2010-06-06', end: '2026-08-12', maxCostUsd: 100, buildFeatures: true,
    });
    // (b) over budget: waits at the cost gate for approveSpend / rejectSpend
    const gated = await startBackfill(pc, {
      dataset: 'GLBX.MDP3', schemas: ['ohlcv-1h'], symbols: ['NQ.FUT'], stypeIn: 'parent',
      start: '2024-01-01', end: '2026-01-01', maxCostUsd: 0.000001, buildFeatures: false,
    });
    // (c) the schedules
    const applied = await applySchedules(pc.client, { taskQueue: env.TEMPORAL_TASK_QUEUE, logger });
    say(`schedules: ${applied.created.join(', ')}`);

    const childId = `${slow.handle.workflowId}/ohlcv-1d/ZL.c.0`;
    for (let i = 0; ; i++) {
      const d = await pc.client.workflow.getHandle(childId).describe().catch(() => null);
      const stage = (await gated.handle.describe()).searchAttributes.PipelineStage?.[0];
      if (d && stage === 'awaiting_approval' && i >= 20) break;
      if (i > 120) throw new Error('the backfills did not reach the expected state in time');
      await sleep(500);
    }
    await waitForHttp(`${server.uiUrl}/namespaces/default/workflows`);

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    const workflowUrl = async (workflowId: string, tab: 'history') => {
      const { runId } = await pc.client.workflow.getHandle(workflowId).describe();
      return `${server.uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}/${tab}`;
    };
    // current details (per-chunk progress, the cost gate) are on the run's "User Metadata" tab
    await capture(page, await workflowUrl(childId, 'history'), 'backfill-running.png', 'Current Details', 'User Metadata');
    await capture(page, await workflowUrl(slow.handle.workflowId, 'history'), 'backfill-parent.png', 'Current Details', 'User Metadata');
    await capture(page, await workflowUrl(gated.handle.workflowId, 'history'), 'awaiting-approval.png', 'Current Details', 'User Metadata');
    await capture(page, `${server.uiUrl}/namespaces/default/schedules`, 'schedules.png', 'pipeline-databento-zl-price');
  } finally {
    await browser.close();
    gateway.faults.slowBody = undefined;
    workers.shutdown();
    await running.catch(() => undefined);
    await workers.close();
    await pc.close();
    await Promise.allSettled([gateway.close(), server.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`screenshots failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
